"""Incidents that come in through Telegram: comments, forwards, /new (п.2, п.9)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from db.models import DuplicatePost, IncidentRow
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


async def _rows_until(world: BotWorld, model: type, enough: int) -> int:
    """Poll the bot's database until `enough` rows of `model` are there (or time runs out)."""
    assert world.engine is not None
    count = 0

    async def current() -> int:
        assert world.engine is not None
        async with world.engine.connect() as connection:
            query = select(func.count()).select_from(model)
            return int((await connection.execute(query)).scalar_one())

    for _ in range(400):  # up to 20 s: the bot is another process, so poll its database
        count = await current()
        if count >= enough:
            break
        await asyncio.sleep(0.05)
    return count


async def test_same_complaint_twice_in_the_discussion_group_opens_one_incident(
    world: BotWorld,
) -> None:
    complaint = "Третий день не вывозят мусор во дворе дома 5 по улице Мира"
    world.fake.user_message(DISCUSSION_CHAT, complaint, user_id=CITIZEN)
    await world.wait_card(CURATOR, 1)
    world.fake.user_message(DISCUSSION_CHAT, complaint + "!!!", user_id=CITIZEN)
    assert await _rows_until(world, DuplicatePost, 1) == 1  # attached to incident №1
    rows = await _incidents(world)
    assert len(rows) == 1


async def test_obscene_threat_in_a_comment_gets_the_p21_line_on_its_card(world: BotWorld) -> None:
    world.fake.user_message(
        DISCUSSION_CHAT, "Не почините дорогу — найду вас и подожгу контору", user_id=CITIZEN
    )
    card = await world.wait_card(CURATOR, 1, having="п.21")
    assert "Возможно, случай п.21" in (card.content or "")
