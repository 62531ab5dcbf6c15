"""Guided steps survive a restart: the bot process is stopped and a new one started over
the same database between a draft's text and its photo."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from db.models import Person
from db.models_shell import FsmStateRow
from tests.e2e.harness import CURATOR, PARKS_1, PARKS_CHAT, BotWorld
from workflow.commands import Route
from workflow.model import Media, MediaKind

TEXT = "Здравствуйте! Скамейку починим до пятницы."


async def _routed_to_parks(world: BotWorld) -> int:
    assert world.engine is not None
    async with world.engine.connect() as connection:
        curator = await connection.execute(select(Person.id).where(Person.key == "curator"))
        curator_id = int(curator.scalar_one())
    incident = await world.detect("Сломана скамейка в парке", "https://vk.com/wall-1_77")
    await world.service.perform(
        incident.id, curator_id, Route(org_codes=("parks",), topic="Парки", location="парк")
    )
    return incident.id


def _send_album(world: BotWorld, file_ids: list[str]) -> None:
    """An album: its photos arrive as separate updates at once (one getUpdates batch)."""
    for file_id in file_ids:
        message = world.fake._user_message(PARKS_CHAT, PARKS_1)
        message.media_kind, message.file_id, message.media_group_id = "photo", file_id, "alb-1"
        world.fake._enqueue_update("message", world.fake._message_json(message))


async def _step_data(world: BotWorld, enough_media: int) -> dict[str, Any]:
    """The executor's step as the bot process stored it, once it holds `enough_media`."""
    assert world.engine is not None
    data: dict[str, Any] = {}
    for _ in range(400):  # the bot is another process: read its database
        async with world.engine.connect() as connection:
            row = await connection.execute(
                select(FsmStateRow.data).where(
                    FsmStateRow.chat_id == PARKS_CHAT, FsmStateRow.user_id == PARKS_1
                )
            )
            data = row.scalar_one_or_none() or {}
        if len(data.get("media", [])) >= enough_media:
            break
        await asyncio.sleep(0.05)
    return data


def _answer(world: BotWorld, query_id: str) -> str:
    return str(world.fake.callback_answers.get(query_id, {}).get("text", ""))


async def test_restart_between_text_and_photos_keeps_both_and_send_sends_both(
    world: BotWorld,
) -> None:
    incident_id = await _routed_to_parks(world)
    card = await world.wait_card(PARKS_CHAT, incident_id)
    world.press(PARKS_CHAT, card, "button.draft", PARKS_1)
    await world.wait_bot_text(PARKS_CHAT, "Пришлите текст")
    world.fake.user_message(PARKS_CHAT, TEXT, user_id=PARKS_1)
    first_note = await world.wait_bot_text(PARKS_CHAT, "вложений 0")

    await world.restart()

    _send_album(world, ["album-photo-1", "album-photo-2"])
    step = await _step_data(world, enough_media=2)
    assert step["text"] == TEXT  # typed before the restart
    # Both photos of the album, arriving together, were added (one update at a time).
    assert sorted(step["media"]) == [["photo", "album-photo-1"], ["photo", "album-photo-2"]]

    send = world.button(PARKS_CHAT, first_note, "button.send")  # the note from before
    world.fake.press_button(PARKS_CHAT, first_note.message_id, send, user_id=PARKS_1)
    await world.wait_card(CURATOR, incident_id, having="на согласовании")
    draft = (await world.service.get(incident_id)).drafts[-1]
    assert draft.text == TEXT
    assert sorted(draft.media, key=lambda m: m.file_id) == [
        Media(MediaKind.PHOTO, "album-photo-1"),
        Media(MediaKind.PHOTO, "album-photo-2"),
    ]

    # «Send» pressed again (a second tap before the button went, or on another note of the
    # same step): it went already, and says so.
    late = world.fake.press_button(
        PARKS_CHAT, first_note.message_id, send, user_id=PARKS_1, check=False
    )
    await world.until(lambda: late in world.fake.callback_answers)
    assert f"по инциденту №{incident_id} уже отправлен" in _answer(world, late)

    # A step that is really gone (cancelled) says so plainly, not "finished".
    world.fake.user_message(PARKS_CHAT, "/cancel", user_id=PARKS_1)
    await world.wait_bot_text(PARKS_CHAT, "Нечего отменять")
    gone = world.fake.press_button(
        PARKS_CHAT, first_note.message_id, send, user_id=PARKS_1, check=False
    )
    await world.until(lambda: gone in world.fake.callback_answers)
    assert "Черновик не найден, начните заново" in _answer(world, gone)
    assert len((await world.service.get(incident_id)).drafts) == 1
