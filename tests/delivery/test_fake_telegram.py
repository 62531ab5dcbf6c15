"""The fake Bot API server, driven by a real aiogram Bot."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
)

from bot.outbox import SenderLimits, Window
from tests.support.fake_telegram import Call, FakeTelegram, limit_violations

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Take", callback_data="take:1")]]
)


async def test_get_me_and_commands(fake_telegram: FakeTelegram, fake_bot: Bot) -> None:
    me = await fake_bot.get_me()
    assert me.is_bot and me.username
    assert await fake_bot.delete_webhook(drop_pending_updates=True)
    assert await fake_bot.set_my_commands([BotCommand(command="start", description="Start")])
    assert fake_telegram.commands == [{"command": "start", "description": "Start"}]
    chat = await fake_bot.get_chat(-1001)
    assert chat.id == -1001 and chat.type == "group"


async def test_send_and_edit_keep_a_history(fake_telegram: FakeTelegram, fake_bot: Bot) -> None:
    first = await fake_bot.send_message(5, "<b>one</b>", parse_mode="HTML", reply_markup=KEYBOARD)
    second = await fake_bot.send_message(5, "two")
    elsewhere = await fake_bot.send_message(6, "other chat")
    assert (first.message_id, second.message_id, elsewhere.message_id) == (1, 2, 1)
    assert first.reply_markup and first.reply_markup.inline_keyboard[0][0].callback_data == "take:1"
    assert fake_telegram.buttons(5, 1)[0].callback_data == "take:1"

    edited = await fake_bot.edit_message_text("<b>one!</b>", chat_id=5, message_id=1)
    assert edited.text == "<b>one!</b>" and edited.edit_date is not None
    message = fake_telegram.message(5, 1)
    assert message.text == "<b>one!</b>"
    assert message.reply_markup is None  # an edit without a keyboard removes it
    assert [e.text for e in message.edits] == ["<b>one</b>"]

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await fake_bot.edit_message_text("<b>one!</b>", chat_id=5, message_id=1)
    await fake_bot.edit_message_reply_markup(chat_id=5, message_id=1, reply_markup=KEYBOARD)
    assert fake_telegram.message(5, 1).reply_markup is not None

    assert await fake_bot.delete_message(5, 2)
    assert [m.message_id for m in fake_telegram.messages(5)] == [1]
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await fake_bot.edit_message_text("gone", chat_id=5, message_id=2)


async def test_media(fake_telegram: FakeTelegram, fake_bot: Bot) -> None:
    photo = await fake_bot.send_photo(7, "photo-a", caption="look")
    assert photo.photo and photo.photo[-1].file_id == "photo-a" and photo.caption == "look"
    await fake_bot.send_video(7, "video-a")
    await fake_bot.send_document(7, "doc-a")
    album = await fake_bot.send_media_group(
        7, [InputMediaPhoto(media="p1"), InputMediaPhoto(media="p2")]
    )
    assert [m.message_id for m in album] == [4, 5]
    assert album[0].media_group_id == album[1].media_group_id
    await fake_bot.edit_message_caption(chat_id=7, message_id=1, caption="looked")
    assert fake_telegram.message(7, 1).caption == "looked"
    kinds = [m.media_kind for m in fake_telegram.messages(7)]
    assert kinds == ["photo", "video", "document", "photo", "photo"]


async def test_what_telegram_refuses(fake_telegram: FakeTelegram, fake_bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await fake_bot.send_message(5, "<b>open", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="too long"):
        await fake_bot.send_message(5, "x" * 4097)
    too_long_data = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="d" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await fake_bot.send_message(5, "x", reply_markup=too_long_data)
    fake_telegram.chat_not_found.add(8)
    fake_telegram.blocked.add(9)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await fake_bot.send_message(8, "x")
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await fake_bot.send_message(9, "x")
    assert fake_telegram.messages(5) == []


async def test_unknown_method(fake_telegram: FakeTelegram, fake_bot: Bot) -> None:
    class NoSuchMethod(TelegramMethod[bool]):
        __returning__ = bool
        __api_method__ = "noSuchMethod"

    with pytest.raises(TelegramNotFound, match="method not found"):
        await fake_bot(NoSuchMethod())


async def test_faults(fake_telegram: FakeTelegram, fake_bot: Bot) -> None:
    fake_telegram.fail_next(1, "retry_after", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await fake_bot.send_message(5, "x")
    assert caught.value.retry_after == 7
    fake_telegram.fail_next(1, "server_error")
    with pytest.raises(TelegramServerError):
        await fake_bot.send_message(5, "x")
    fake_telegram.fail_next(1, "drop")
    with pytest.raises(TelegramNetworkError):
        await fake_bot.send_message(5, "x")
    assert fake_telegram.messages(5) == []  # none of them was processed

    fake_telegram.fail_next(1, "lost_answer")
    with pytest.raises(TelegramNetworkError):
        await fake_bot.send_message(5, "lost")
    assert [m.text for m in fake_telegram.messages(5)] == ["lost"]

    fake_telegram.fail_next(1, "retry_after", chat_id=6)
    await fake_bot.send_message(5, "not chat 6")
    with pytest.raises(TelegramRetryAfter):
        await fake_bot.send_message(6, "x")
    outcomes = [c.outcome for c in fake_telegram.calls_of("sendMessage")]
    assert outcomes == ["retry_after", "server_error", "drop", "lost_answer", "ok", "retry_after"]


async def test_a_share_of_faults_is_seeded(fake_telegram: FakeTelegram, fake_bot: Bot) -> None:
    fake_telegram.fail_share(0.3, "server_error")
    failures = 0
    for number in range(100):
        try:
            await fake_bot.send_message(5, f"m{number}")
        except TelegramServerError:
            failures += 1
    assert 15 <= failures <= 45
    assert len(fake_telegram.messages(5)) == 100 - failures


async def test_updates_round_trip(fake_telegram: FakeTelegram, fake_bot: Bot) -> None:
    sent = await fake_bot.send_message(-100, "card", reply_markup=KEYBOARD)
    fake_telegram.user_message(5, "hello")
    fake_telegram.user_reply(-100, sent.message_id, "a reply", user_id=42)
    fake_telegram.user_photo(5, file_id="p-1", caption="pic")
    query_id = fake_telegram.press_button(-100, sent.message_id, "take:1", user_id=42)
    with pytest.raises(ValueError, match="no button"):
        fake_telegram.press_button(-100, sent.message_id, "nope", user_id=42)

    updates = await fake_bot.get_updates(offset=0, timeout=0)
    assert [u.update_id for u in updates] == [1, 2, 3, 4]
    assert updates[0].message and updates[0].message.text == "hello"
    reply = updates[1].message
    assert reply and reply.reply_to_message and reply.reply_to_message.message_id == 1
    assert reply.from_user and reply.from_user.id == 42 and reply.chat.id == -100
    assert updates[2].message and updates[2].message.photo
    callback = updates[3].callback_query
    assert callback and callback.data == "take:1" and callback.id == query_id
    assert await fake_bot.answer_callback_query(query_id, text="taken")
    assert fake_telegram.callback_answers[query_id]["text"] == "taken"

    # Asking from the next offset confirms them; a long poll then waits for the next one.
    poll = asyncio.create_task(fake_bot.get_updates(offset=5, timeout=5))
    await fake_telegram.wait_for(lambda c: c.method == "getUpdates", count=1)
    await asyncio.sleep(0.05)
    assert not poll.done()
    fake_telegram.user_message(5, "later")
    later = await asyncio.wait_for(poll, 5)
    assert [u.update_id for u in later] == [5]
    assert await fake_bot.get_updates(offset=6, timeout=0) == []


def _calls(times: list[float], chat_id: int = 5) -> list[Call]:
    return [Call("sendMessage", {}, at, chat_id, "ok") for at in times]


def test_limit_checker_finds_violations() -> None:
    limits = SenderLimits(
        overall=Window(3, 1.0), per_group=Window(2, 10.0), per_chat=Window(1, 0.5)
    )
    spaced = _calls([0.0, 0.5, 1.0, 1.5])
    assert limit_violations(spaced, limits) == []
    assert [v.scope for v in limit_violations(_calls([0.0, 0.4]), limits)] == ["chat 5"]
    crowd = [*_calls([0.0], 1), *_calls([0.1], 2), *_calls([0.2], 3), *_calls([0.3], 4)]
    assert [v.scope for v in limit_violations(crowd, limits)] == ["overall"]
    group = _calls([0.0, 3.0, 6.0], chat_id=-7)
    assert [v.scope for v in limit_violations(group, limits)] == ["group -7"]
    # Slack forgives arrivals a little closer than the window.
    assert limit_violations(_calls([0.0, 0.45]), limits, slack=0.1) == []
