"""The real bot: a flood summary's button sends that incident's card to the chat at once."""

from __future__ import annotations

from bot.clock import SystemClock
from bot.outbox import FLOOD_SUMMARY_KEY
from bot.services.outbox_writer import OutboxWriter
from db.engine import create_session_factory
from db.outbox_repository import Priority
from db.uow import UnitOfWork
from tests.e2e.conftest import world
from tests.e2e.harness import CURATOR, BotWorld

__all__ = ["world"]  # the fixture


async def test_a_summary_button_opens_the_card(world: BotWorld) -> None:
    incident = await world.detect("Яма у школы", "https://vk.com/wall-1_501")
    card = await world.wait_card(CURATOR, incident.id)
    world.fake.delete_by_user(CURATOR, card.message_id)  # so that a new card shows
    assert world.engine is not None
    async with UnitOfWork(create_session_factory(world.engine)) as uow:
        await OutboxWriter("ru").text(
            uow,
            CURATOR,
            FLOOD_SUMMARY_KEY,
            SystemClock().now(),
            params={"count": 1, "incidents": f"№{incident.id}", "incident_ids": [incident.id]},
            priority=Priority.REPLY,
        )
    summary = await world.wait_bot_text(CURATOR, "Новых инцидентов: 1")
    [button] = world.fake.buttons(CURATOR, summary.message_id)
    assert button.text == str(incident.id) and button.callback_data

    query = world.fake.press_button(
        CURATOR, summary.message_id, button.callback_data, user_id=CURATOR
    )
    again = await world.wait_card(CURATOR, incident.id)
    await world.until(lambda: query in world.fake.callback_answers)
    assert not world.fake.callback_answers[query].get("show_alert")  # no "not allowed"
    assert again.message_id != card.message_id
    assert world.labels(CURATOR, again)  # the curator's own card, with its buttons
