"""Control characters through Telegram's intake paths: stripped by the one pipeline, the
same rule as the HTTP API and VK (tests/intake/test_control_chars.py)."""

from __future__ import annotations

from sqlalchemy import select

from db.models import IncidentRow
from tests.e2e.harness import CURATOR, DISCUSSION_CHAT, BotWorld

CITIZEN = 990002


async def _texts(world: BotWorld) -> list[tuple[str, str]]:
    assert world.engine is not None
    async with world.engine.connect() as connection:
        rows = await connection.execute(
            select(IncidentRow.url, IncidentRow.text).order_by(IncidentRow.id)
        )
        return [(url, text) for url, text in rows.all()]


async def test_nul_in_comment_new_and_forward_is_stripped_the_same_way(world: BotWorld) -> None:
    world.fake.user_message(DISCUSSION_CHAT, "Фонари\x00 не горят\x07 на ул. Мира", user_id=CITIZEN)
    await world.wait_card(CURATOR, 1)

    world.fake.user_message(CURATOR, "/new https://ok.ru/group/1/topic/9\x00 Нет\x00 света")
    await world.wait_bot_text(CURATOR, "зарегистрирован")

    forwarded = world.fake._user_message(CURATOR, CURATOR)
    forwarded.text = "Мусор\x00 не вывозят\x1b неделю"
    payload = world.fake._message_json(forwarded)
    payload["forward_origin"] = {
        "type": "channel",
        "chat": {"id": -1001234, "type": "channel", "title": "Город N", "username": "gorod_n"},
        "message_id": 78,
        "date": payload["date"],
    }
    world.fake._enqueue_update("message", payload)
    await world.wait_bot_text(CURATOR, "зарегистрирован")

    rows = await _texts(world)
    assert [text for _url, text in rows] == [
        "Фонари не горят на ул. Мира",
        "Нет света",
        "Мусор не вывозят неделю",
    ]
    assert rows[1][0] == "https://ok.ru/group/1/topic/9"
    assert not any(chr(code) in url + text for url, text in rows for code in range(9))
