"""The guided steps' storage over the project's database, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import Message, Update
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.fsm_storage import DatabaseStorage, make_fsm_storage
from bot.settings import load_settings
from db.models_shell import FsmStateRow

BOT = 42
ALICE = StorageKey(bot_id=BOT, chat_id=-100200, user_id=2001)
ALICE_PRIVATE = StorageKey(bot_id=BOT, chat_id=2001, user_id=2001)
BOB = StorageKey(bot_id=BOT, chat_id=-100200, user_id=2002)


class Steps(StatesGroup):
    composing = State()


@pytest.fixture
def storage(sessions: async_sessionmaker[AsyncSession]) -> DatabaseStorage:
    return DatabaseStorage(sessions, ManualClock(datetime(2026, 12, 1, 9, tzinfo=UTC)))


async def _rows(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(FsmStateRow))).scalar())


async def test_state_and_data_are_kept_per_chat_and_user(storage: DatabaseStorage) -> None:
    await storage.set_state(ALICE, Steps.composing)
    draft = {"incident": 7, "kind": "answer", "text": "Здравствуйте", "media": [["photo", "f1"]]}
    await storage.set_data(ALICE, draft)

    assert await storage.get_state(ALICE) == "Steps:composing"
    assert await storage.get_data(ALICE) == draft
    # The same person in another chat, and another person in the same chat, have no step.
    for other in (ALICE_PRIVATE, BOB):
        assert await storage.get_state(other) is None
        assert await storage.get_data(other) == {}


async def test_a_new_storage_over_the_same_database_reads_the_step(
    sessions: async_sessionmaker[AsyncSession], storage: DatabaseStorage
) -> None:
    await storage.set_state(ALICE, "Compose:collecting")
    await storage.update_data(ALICE, {"text": "часть 1"})
    await storage.update_data(ALICE, {"media": [["photo", "f1"]]})

    restarted = make_fsm_storage(load_settings(), sessions)
    assert await restarted.get_state(ALICE) == "Compose:collecting"
    assert await restarted.get_data(ALICE) == {"text": "часть 1", "media": [["photo", "f1"]]}


async def test_state_and_data_are_replaced_not_merged(storage: DatabaseStorage) -> None:
    await storage.set_state(ALICE, "A:one")
    await storage.set_data(ALICE, {"a": 1, "b": 2})
    await storage.set_state(ALICE, "A:two")
    await storage.set_data(ALICE, {"c": 3})
    assert await storage.get_state(ALICE) == "A:two"
    assert await storage.get_data(ALICE) == {"c": 3}


async def test_data_without_a_state_is_kept(storage: DatabaseStorage) -> None:
    await storage.set_data(BOB, {"sent_draft": 5})
    assert await storage.get_state(BOB) is None
    assert await storage.get_data(BOB) == {"sent_draft": 5}


async def test_clear_removes_the_row(
    sessions: async_sessionmaker[AsyncSession], storage: DatabaseStorage
) -> None:
    await storage.set_state(ALICE, Steps.composing)
    await storage.set_data(ALICE, {"incident": 1})
    await storage.set_state(BOB, Steps.composing)
    # FSMContext.clear(): no state, no data.
    await storage.set_state(ALICE, None)
    await storage.set_data(ALICE, {})
    assert await storage.get_state(ALICE) is None
    assert await storage.get_data(ALICE) == {}
    assert await _rows(sessions) == 1  # Bob's step only
    assert await storage.get_state(BOB) == "Steps:composing"


async def test_thread_and_destiny_are_part_of_the_key(storage: DatabaseStorage) -> None:
    topic = StorageKey(bot_id=BOT, chat_id=-100200, user_id=2001, thread_id=15)
    other_destiny = StorageKey(bot_id=BOT, chat_id=-100200, user_id=2001, destiny="picker")
    await storage.set_state(topic, "A:topic")
    await storage.set_state(other_destiny, "A:picker")
    assert await storage.get_state(ALICE) is None
    assert await storage.get_state(topic) == "A:topic"
    assert await storage.get_state(other_destiny) == "A:picker"


async def test_data_that_would_not_survive_a_restart_is_refused(
    storage: DatabaseStorage,
) -> None:
    with pytest.raises(TypeError, match="JSON values only"):
        await storage.set_data(ALICE, {"when": datetime(2026, 1, 1, tzinfo=UTC)})
    assert await storage.get_data(ALICE) == {}


PHOTO_SIZE = {"file_unique_id": "u", "width": 9, "height": 9}


def _album_photo(number: int) -> Update:
    return Update.model_validate(
        {
            "update_id": number,
            "message": {
                "message_id": number,
                "date": 0,
                "chat": {"id": 2001, "type": "private"},
                "from": {"id": 2001, "is_bot": False, "first_name": "Мария"},
                "photo": [PHOTO_SIZE | {"file_id": f"p{number}"}],
                "media_group_id": "album-1",
            },
        }
    )


async def test_album_photos_arriving_together_are_all_kept(storage: DatabaseStorage) -> None:
    """The photos of an album reach the bot at once; each reads the draft and writes it back.
    With the dispatcher's per-person isolation (as bot/app.py builds it) none is lost."""
    dispatcher = Dispatcher(storage=storage, events_isolation=SimpleEventIsolation())
    router = Router()

    @router.message()
    async def collect(message: Message, state: FSMContext) -> None:
        data = await state.get_data()
        data.setdefault("media", []).append(message.message_id)
        await state.set_data(data)

    dispatcher.include_router(router)
    bot = Bot(f"{BOT}:{'A' * 30}")
    try:
        await asyncio.gather(*(dispatcher.feed_update(bot, _album_photo(n)) for n in range(1, 6)))
    finally:
        await bot.session.close()
    key = StorageKey(bot_id=BOT, chat_id=2001, user_id=2001)
    assert sorted((await storage.get_data(key))["media"]) == [1, 2, 3, 4, 5]


async def test_a_step_read_again_costs_no_statement(
    sessions: async_sessionmaker[AsyncSession], storage: DatabaseStorage
) -> None:
    """Every update reads the person's step: after the first read (or a write) the storage
    answers from what it keeps, since only this process writes the table."""
    from sqlalchemy import event

    await storage.set_state(ALICE, Steps.composing)
    await storage.get_state(BOB)  # nobody's step: known too
    bind = sessions.kw["bind"]
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(bind.sync_engine, "before_cursor_execute", count)
    try:
        assert await storage.get_state(ALICE) == "Steps:composing"
        assert await storage.get_state(BOB) is None
        assert seen == []
    finally:
        event.remove(bind.sync_engine, "before_cursor_execute", count)


async def test_changing_the_data_read_changes_nothing_kept(storage: DatabaseStorage) -> None:
    await storage.set_data(ALICE, {"media": [["photo", "f1"]]})
    data = await storage.get_data(ALICE)
    data["media"].append(["photo", "f2"])  # a handler's own list, not the storage's
    assert await storage.get_data(ALICE) == {"media": [["photo", "f1"]]}


async def test_a_failed_write_leaves_the_step_read_from_the_database(
    sessions: async_sessionmaker[AsyncSession], storage: DatabaseStorage
) -> None:
    await storage.set_state(ALICE, Steps.composing)
    with pytest.raises(TypeError, match="JSON values only"):
        await storage.set_data(ALICE, {"when": datetime(2026, 12, 1, tzinfo=UTC)})
    fresh = DatabaseStorage(sessions, ManualClock(datetime(2026, 12, 1, 9, tzinfo=UTC)))
    assert await storage.get_state(ALICE) == await fresh.get_state(ALICE) == "Steps:composing"


async def test_behind_a_webhook_every_update_reads_the_table(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A webhook may be served by several processes: a step another one moved on is read,
    not the one this process saw last."""
    webhook = load_settings(webhook_url="https://bot.example.org/telegram/webhook")
    here = make_fsm_storage(webhook, sessions)
    elsewhere = make_fsm_storage(webhook, sessions)
    await here.set_state(ALICE, "Compose:collecting")
    await elsewhere.set_state(ALICE, None)
    assert await here.get_state(ALICE) is None
    polling = make_fsm_storage(load_settings(), sessions)
    await polling.get_state(ALICE)
    await elsewhere.set_state(ALICE, "Compose:collecting")
    assert await polling.get_state(ALICE) is None  # kept: long polling has one process
