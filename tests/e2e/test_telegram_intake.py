"""Incidents that come in through Telegram: comments, forwards, /new (п.2, п.9)."""

from __future__ import annotations

from sqlalchemy import select

from db.models import IncidentRow
from tests.e2e.harness import CURATOR, DISCUSSION_CHAT, ROADS_1, ROADS_CHAT, BotWorld
from workflow.model import Source

CITIZEN = 990001


async def _incidents(world: BotWorld) -> list[IncidentRow]:
    assert world.engine is not None
    async with world.engine.connect() as connection:
        return list((await connection.execute(select(IncidentRow))).all())  # type: ignore[arg-type]


async def test_comment_in_discussion_group_becomes_an_incident_with_card(world: BotWorld) -> None:
    comment = world.fake.user_message(
        DISCUSSION_CHAT, "Когда починят фонари на ул. Мира?", user_id=CITIZEN
    )
    await world.until(lambda: world.card(CURATOR, 1) is not None)
    rows = await _incidents(world)
    assert len(rows) == 1
    row = rows[0]
    assert row.source == Source.TELEGRAM.value or row.source == Source.TELEGRAM
    assert row.url.endswith(f"/{comment.message_id}")
    assert row.external_id == f"tg:{DISCUSSION_CHAT}:{comment.message_id}"
    assert not world.fake.bot_messages(DISCUSSION_CHAT)  # the bot says nothing to citizens


async def test_ordinary_group_chatter_is_not_an_incident(world: BotWorld) -> None:
    world.fake.user_message(ROADS_CHAT, "Коллеги, обед в 13:00", user_id=ROADS_1)
    world.fake.user_message(CURATOR, "/new")  # a round trip to know the first was handled
    await world.wait_bot_text(CURATOR, "Формат: /new")
    assert await _incidents(world) == []


async def test_new_command_registers_by_hand_and_is_idempotent(world: BotWorld) -> None:
    world.fake.user_message(CURATOR, "/new https://ok.ru/group/1/topic/2 Нет света в подъезде")
    await world.wait_bot_text(CURATOR, "зарегистрирован")
    await world.until(lambda: world.card(CURATOR, 1) is not None)
    world.fake.user_message(CURATOR, "/new https://ok.ru/group/1/topic/2 Нет света в подъезде")
    await world.wait_bot_text(CURATOR, "уже зарегистрирован как инцидент №1")
    rows = await _incidents(world)
    assert len(rows) == 1 and rows[0].source in (Source.OK, Source.OK.value)


async def test_forwarded_message_becomes_an_incident(world: BotWorld) -> None:
    message = world.fake._user_message(CURATOR, CURATOR)
    message.text = "Мусор не вывозят неделю"
    payload = world.fake._message_json(message)
    payload["forward_origin"] = {
        "type": "channel",
        "chat": {"id": -1001234, "type": "channel", "title": "Город N", "username": "gorod_n"},
        "message_id": 77,
        "date": payload["date"],
    }
    world.fake._enqueue_update("message", payload)
    await world.wait_bot_text(CURATOR, "зарегистрирован")
    rows = await _incidents(world)
    assert [r.url for r in rows] == ["https://t.me/gorod_n/77"]


async def test_non_curator_cannot_register_incidents(world: BotWorld) -> None:
    world.fake.user_message(ROADS_1, "/new https://vk.com/wall-1_1 Текст")
    await world.wait_bot_text(ROADS_1, "работаю с карточками")
    assert await _incidents(world) == []
