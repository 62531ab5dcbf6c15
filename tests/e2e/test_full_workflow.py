"""End to end: the bot process, the fake Bot API, a curator and executors of two organisations."""

from __future__ import annotations

from sqlalchemy import select

from db.models import EventRow, ReviewRow
from tests.e2e.harness import (
    CURATOR,
    PARKS_1,
    PARKS_CHAT,
    ROADS_1,
    ROADS_CHAT,
    BotWorld,
)
from workflow.model import DraftStatus, IncidentStatus, ReturnReason


async def _route(world: BotWorld, incident_id: int, org_label: str, *, ask_topic: bool) -> None:
    card = await world.wait_card(CURATOR, incident_id)
    key = "button.route" if ask_topic else "button.reroute"
    world.press(CURATOR, card, key, CURATOR)
    if ask_topic:
        await world.wait_bot_text(CURATOR, "через точку с запятой")
        world.fake.user_message(CURATOR, "Дороги; ул. Ленина, 5")
    picker = await world.wait_bot_text(CURATOR, "отметьте организации")
    toggle = next(
        b.callback_data
        for b in world.fake.buttons(CURATOR, picker.message_id)
        if org_label in b.text
    )
    world.fake.press_button(CURATOR, picker.message_id, toggle, user_id=CURATOR)
    await world.until(
        lambda: any(b.text.startswith("☑") for b in world.fake.buttons(CURATOR, picker.message_id))
    )
    world.press(CURATOR, world.fake.message(CURATOR, picker.message_id), "button.confirm", CURATOR)


async def test_detect_route_not_ours_reroute_draft_return_fix_approve_publish(
    world: BotWorld,
) -> None:
    incident = await world.detect(
        "Во дворе дома 5 по ул. Ленина огромная яма, когда заделают?",
        "https://vk.com/wall-1_100?reply=7",
    )
    card = await world.wait_card(CURATOR, incident.id)
    curator_buttons = world.labels(CURATOR, card)
    assert world.t.text("button.route", "ru") in curator_buttons
    assert world.t.text("button.take", "ru") not in curator_buttons

    # п.10: the curator routes it to roads with topic and location.
    await _route(world, incident.id, "дорожного", ask_topic=True)
    roads_card = await world.wait_card(ROADS_CHAT, incident.id)
    roads_buttons = world.labels(ROADS_CHAT, roads_card)
    assert world.t.text("button.take", "ru") in roads_buttons
    assert world.t.text("button.decline", "ru") in roads_buttons
    assert world.t.text("button.route", "ru") not in roads_buttons

    # п.11: roads says "not ours" with a comment.
    world.press(ROADS_CHAT, roads_card, "button.decline", ROADS_1)
    await world.wait_bot_text(ROADS_CHAT, "почему он не относится")
    world.fake.user_message(ROADS_CHAT, "Это двор, не дорога", user_id=ROADS_1)
    card = await world.wait_card(CURATOR, incident.id, having="Это двор, не дорога")

    # п.11: the curator re-routes to parks.
    await _route(world, incident.id, "благоустройства", ask_topic=False)
    parks_card = await world.wait_card(PARKS_CHAT, incident.id)

    # п.12, п.20: parks sends a draft with a photo.
    world.press(PARKS_CHAT, parks_card, "button.draft", PARKS_1)
    await world.wait_bot_text(PARKS_CHAT, "Пришлите текст")
    world.fake.user_photo(
        PARKS_CHAT, caption="Здравствуйте! Яму засыплют до пятницы.", user_id=PARKS_1
    )
    note = await world.wait_bot_text(PARKS_CHAT, "вложений 1")
    world.press(PARKS_CHAT, note, "button.send", PARKS_1)
    card = await world.wait_card(CURATOR, incident.id, having="на согласовании")

    # п.14: the curator sees the draft as it will be published and returns it.
    draft_id = (await world.service.get(incident.id)).drafts[-1].id
    world.press(CURATOR, card, "button.review", CURATOR, id=draft_id)
    header = await world.wait_bot_text(CURATOR, "в том виде, в каком будет размещён")
    photos = [m for m in world.fake.bot_messages(CURATOR) if m.media_kind == "photo"]
    assert photos and "Яму засыплют" in (photos[-1].caption or "")
    world.press(CURATOR, header, "button.return", CURATOR)
    reasons = await world.wait_bot_text(CURATOR, "отметьте причины возврата")
    for reason in (ReturnReason.SPELLING, ReturnReason.FORMAT):
        label = world.t.text(f"reason.{reason.value}", "ru")
        before = [b.text for b in world.fake.buttons(CURATOR, reasons.message_id)]
        data = next(
            b.callback_data
            for b in world.fake.buttons(CURATOR, reasons.message_id)
            if b.text.endswith(label)
        )
        world.fake.press_button(CURATOR, reasons.message_id, data, user_id=CURATOR)
        await world.until(
            lambda before=before: (
                [b.text for b in world.fake.buttons(CURATOR, reasons.message_id)] != before
            )
        )
    world.press(CURATOR, world.fake.message(CURATOR, reasons.message_id), "button.comment", CURATOR)
    await world.wait_bot_text(CURATOR, "комментарий для исполнителя")
    world.fake.user_message(CURATOR, "Укажите точную дату")
    saved = await world.wait_bot_text(CURATOR, "Комментарий сохранён")
    world.press(CURATOR, saved, "button.send_return", CURATOR)
    parks_card = await world.wait_card(PARKS_CHAT, incident.id, having="Укажите точную дату")
    assert world.t.text("reason.spelling", "ru") in (parks_card.content or "")

    # п.15: parks fixes the draft; the curator approves it.
    world.press(PARKS_CHAT, parks_card, "button.draft", PARKS_1)
    await world.wait_bot_text(PARKS_CHAT, "Пришлите текст")
    world.fake.user_message(PARKS_CHAT, "Здравствуйте! Яму засыплют 27 ноября.", user_id=PARKS_1)
    note = await world.wait_bot_text(PARKS_CHAT, "вложений 0")
    world.press(PARKS_CHAT, note, "button.send", PARKS_1)
    card = await world.wait_card(CURATOR, incident.id, having="v2")
    second = (await world.service.get(incident.id)).drafts[-1].id
    world.press(CURATOR, card, "button.review", CURATOR, id=second)
    header = await world.wait_bot_text(CURATOR, "версия 2 —")
    world.press(CURATOR, header, "button.approve", CURATOR)

    # п.16: parks publishes and confirms with a link.
    parks_card = await world.wait_card(
        PARKS_CHAT, incident.id, having=world.t.text("draft.status.approved", "ru")
    )
    world.press(PARKS_CHAT, parks_card, "button.publish", PARKS_1, id=second)
    await world.wait_bot_text(PARKS_CHAT, "ссылку на размещённый ответ")
    world.fake.user_message(PARKS_CHAT, "https://vk.com/wall-1_100?reply=9", user_id=PARKS_1)
    await world.wait_card(CURATOR, incident.id, having="ответ опубликован")

    stored = await world.service.get(incident.id)
    assert stored.status is IncidentStatus.ANSWERED
    assert [d.status for d in stored.drafts] == [DraftStatus.RETURNED, DraftStatus.PUBLISHED]
    assert stored.drafts[0].media and stored.drafts[0].media[0].file_id
    assert set(stored.drafts[0].reviews[0].reasons) == {ReturnReason.SPELLING, ReturnReason.FORMAT}
    assert stored.drafts[0].reviews[0].comment == "Укажите точную дату"
    assert not any(d.running for d in stored.deadlines)
    assert world.engine is not None
    async with world.engine.connect() as connection:
        kinds = (await connection.execute(select(EventRow.kind).order_by(EventRow.seq))).scalars()
        assert list(kinds) == [
            "detect",
            "route",
            "decline",
            "reroute",
            "submit_draft",
            "review",
            "submit_draft",
            "review",
            "confirm_publication",
        ]
        assert len((await connection.execute(select(ReviewRow))).all()) == 2
