"""Guided steps survive a restart: the bot process is stopped and a new one started over
the same database between a draft's text and its photo."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Person
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


def _answer(world: BotWorld, query_id: str) -> str:
    return str(world.fake.callback_answers.get(query_id, {}).get("text", ""))


async def test_restart_between_text_and_photo_keeps_both_and_send_sends_both(
    world: BotWorld,
) -> None:
    incident_id = await _routed_to_parks(world)
    card = await world.wait_card(PARKS_CHAT, incident_id)
    world.press(PARKS_CHAT, card, "button.draft", PARKS_1)
    await world.wait_bot_text(PARKS_CHAT, "Пришлите текст")
    world.fake.user_message(PARKS_CHAT, TEXT, user_id=PARKS_1)
    first_note = await world.wait_bot_text(PARKS_CHAT, "вложений 0")

    await world.restart()

    photo = world.fake.user_photo(PARKS_CHAT, user_id=PARKS_1)
    note = await world.wait_bot_text(PARKS_CHAT, f"текст {len(TEXT)} симв., вложений 1")
    world.press(PARKS_CHAT, note, "button.send", PARKS_1)
    await world.wait_card(CURATOR, incident_id, having="на согласовании")
    draft = (await world.service.get(incident_id)).drafts[-1]
    assert draft.text == TEXT
    assert draft.media == (Media(MediaKind.PHOTO, str(photo.file_id)),)

    # «Send» on the note from before the restart: it went already, and it says so.
    data = world.button(PARKS_CHAT, first_note, "button.send")
    late = world.fake.press_button(PARKS_CHAT, first_note.message_id, data, user_id=PARKS_1)
    await world.until(lambda: late in world.fake.callback_answers)
    assert f"по инциденту №{incident_id} уже отправлен" in _answer(world, late)

    # A step that is really gone (cancelled) says so plainly, not "finished".
    world.fake.user_message(PARKS_CHAT, "/cancel", user_id=PARKS_1)
    await world.wait_bot_text(PARKS_CHAT, "Нечего отменять")
    gone = world.fake.press_button(PARKS_CHAT, first_note.message_id, data, user_id=PARKS_1)
    await world.until(lambda: gone in world.fake.callback_answers)
    assert "Черновик не найден, начните заново" in _answer(world, gone)
    assert len((await world.service.get(incident_id)).drafts) == 1
