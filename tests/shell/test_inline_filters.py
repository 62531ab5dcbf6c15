"""Plain-function filters (magic filters, states) are checked inline, not on a worker thread,
and still decide which handler runs."""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiogram import Bot, Dispatcher, F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Chat, Message, Update, User

from handlers.inline_filters import run_filters_inline


class Asking(StatesGroup):
    comment = State()


def _update(number: int, text: str) -> Update:
    chat = Chat(id=7, type="private")
    message = Message(
        message_id=number,
        date=datetime(2026, 5, 20, 10, 0),
        chat=chat,
        from_user=User(id=7, is_bot=False, first_name="Анна"),
        text=text,
    )
    return Update(update_id=number, message=message)


async def test_filters_run_inline_and_still_choose_the_handler(monkeypatch) -> None:
    router = Router()
    seen: list[str] = []

    @router.message(Asking.comment, F.text)
    async def comment(message: Message) -> None:
        seen.append(f"comment:{message.text}")

    @router.message(F.text.startswith("/"))
    async def command(message: Message) -> None:
        seen.append(f"command:{message.text}")

    @router.message(F.chat.type == "private")
    async def anything(message: Message) -> None:
        seen.append(f"other:{message.text}")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    assert run_filters_inline(dispatcher) == 4  # the state, F.text, startswith, chat type
    assert run_filters_inline(dispatcher) == 0  # once is enough

    async def no_thread(*args: object, **kwargs: object) -> object:
        raise AssertionError("a filter went to a worker thread")

    monkeypatch.setattr(asyncio, "to_thread", no_thread)
    bot = Bot("42:TEST")
    try:
        await dispatcher.feed_update(bot, _update(1, "/help"))
        await dispatcher.feed_update(bot, _update(2, "просто текст"))
        key = StorageKey(bot_id=bot.id, chat_id=7, user_id=7)
        await dispatcher.storage.set_state(key, Asking.comment)
        await dispatcher.feed_update(bot, _update(3, "мой комментарий"))
    finally:
        await bot.session.close()
    assert seen == ["command:/help", "other:просто текст", "comment:мой комментарий"]


def test_every_handler_of_the_bot_is_a_coroutine() -> None:
    """run_filters_inline mends filters only: a handler that is a plain function would still
    go to aiogram's worker thread on every update it takes."""
    import importlib

    modules = ["admin", "common", "curator", "executor", "fallback", "intake", "pages"]
    modules += ["publication", "reports"]
    handlers = 0
    for name in modules:
        module = importlib.import_module(f"handlers.{name}")
        for root in (value for value in vars(module).values() if isinstance(value, Router)):
            for router in root.chain_tail:
                for observer in router.observers.values():
                    for handler in observer.handlers:
                        assert handler.awaitable, handler.callback
                        handlers += 1
    assert handlers > 50  # the bot's handlers were found, not an empty list
