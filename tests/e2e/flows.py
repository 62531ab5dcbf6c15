"""Steps people take, shared by the end-to-end scenarios."""

from __future__ import annotations

import asyncio

from tests.e2e.harness import CURATOR, BotWorld


async def route(
    world: BotWorld, incident_id: int, org_labels: list[str], *, ask_topic: bool, key: str
) -> None:
    """The curator presses `key` (route, re-route, pick) and ticks organisations."""
    card = await world.wait_card(CURATOR, incident_id)
    world.press(CURATOR, card, key, CURATOR)
    if ask_topic:
        await world.wait_bot_text(CURATOR, "через точку с запятой")
        world.fake.user_message(CURATOR, "Дороги; ул. Ленина, 5")
    fragment = "выберите организацию" if key == "button.pick" else "отметьте организации"
    picker = await world.wait_bot_text(CURATOR, fragment)
    for label in org_labels:
        before = [b.text for b in world.fake.buttons(CURATOR, picker.message_id)]
        toggle = next(
            b.callback_data
            for b in world.fake.buttons(CURATOR, picker.message_id)
            if label in b.text
        )
        world.fake.press_button(CURATOR, picker.message_id, toggle, user_id=CURATOR)
        await world.until(
            lambda before=before: (
                [b.text for b in world.fake.buttons(CURATOR, picker.message_id)] != before
            )
        )
    confirm = world.fake.message(CURATOR, picker.message_id)
    world.press(CURATOR, confirm, "button.confirm", CURATOR)


async def compose(
    world: BotWorld, chat_id: int, user: int, incident_id: int, key: str, text: str
) -> None:
    """An executor presses a draft-like button, types the text and sends it."""
    card = await world.wait_card(chat_id, incident_id, having="")
    before = len((await world.service.get(incident_id)).drafts)
    world.press(chat_id, card, key, user)
    await world.wait_bot_text(chat_id, "Пришлите текст")
    world.fake.user_message(chat_id, text, user_id=user)
    note = await world.wait_bot_text(chat_id, f"текст {len(text)} симв.")
    world.press(chat_id, note, "button.send", user)
    for _ in range(400):  # the draft is stored when the press is handled
        if len((await world.service.get(incident_id)).drafts) > before:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the draft for incident {incident_id} was not stored")


async def approve_latest(world: BotWorld, incident_id: int) -> int:
    """The curator opens the pending draft and approves it; returns its id."""
    incident = await world.service.get(incident_id)
    draft = incident.drafts[-1]
    card = await world.wait_card(CURATOR, incident_id, having=f"v{draft.version}")
    await world.until(
        lambda: (
            world.t.text("button.review", "ru", id=draft.id)
            in world.labels(CURATOR, world.card(CURATOR, incident_id))
        )  # type: ignore[arg-type]
    )
    card = world.card(CURATOR, incident_id)
    assert card is not None
    world.press(CURATOR, card, "button.review", CURATOR, id=draft.id)
    header = await world.wait_bot_text(CURATOR, f"версия {draft.version} —")
    world.press(CURATOR, header, "button.approve", CURATOR)
    approved = world.t.text("draft.status.approved", "ru")
    await world.wait_card(CURATOR, incident_id, having=approved)
    return draft.id


async def publish(
    world: BotWorld, chat_id: int, user: int, incident_id: int, draft_id: int, url: str
) -> None:
    approved = world.t.text("draft.status.approved", "ru")
    card = await world.wait_card(chat_id, incident_id, having=approved)
    await world.until(
        lambda: (
            world.t.text("button.publish", "ru", id=draft_id)
            in world.labels(chat_id, world.card(chat_id, incident_id))
        )  # type: ignore[arg-type]
    )
    card = world.card(chat_id, incident_id)
    assert card is not None
    world.press(chat_id, card, "button.publish", user, id=draft_id)
    await world.wait_bot_text(chat_id, "ссылку на размещённый ответ")
    world.fake.user_message(chat_id, url, user_id=user)
    await world.wait_bot_text(chat_id, "Размещение по инциденту")
