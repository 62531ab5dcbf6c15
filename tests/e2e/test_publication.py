"""End to end (п.16): a comment in the official channel's discussion group, once its answer
is approved, is answered by the bot itself as a reply in that group; the card shows the link
and the incident is answered. An edit of the comment reaches the card."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.views.callbacks import Act, CardCb, PublishCb
from db.models import EventRow, Person
from tests.e2e.flows import approve_latest, compose, route
from tests.e2e.harness import CURATOR, DISCUSSION_CHAT, ROADS_1, ROADS_CHAT, BotWorld
from workflow.commands import Review, Route, SubmitDraft, Take
from workflow.model import DraftStatus, IncidentStatus, Post, Source
from workflow.policy import Policy, Publisher

CITIZEN = 990002
ANSWER = "Здравствуйте! Фонари на ул. Мира включат сегодня к 18:00."


async def test_p16_discussion_comment_is_answered_by_the_bot_in_the_group(
    world: BotWorld,
) -> None:
    comment = world.fake.user_message(
        DISCUSSION_CHAT, "Когда починят фонари на ул. Мира?", user_id=CITIZEN
    )
    await world.wait_card(CURATOR, 1)
    await route(world, 1, ["дорожного"], ask_topic=True, key="button.route")
    card = await world.wait_card(ROADS_CHAT, 1)
    world.press(ROADS_CHAT, card, "button.take", ROADS_1)
    await world.wait_card(ROADS_CHAT, 1, having="Дорогин")
    await compose(world, ROADS_CHAT, ROADS_1, 1, "button.draft", ANSWER)
    draft_id = (await world.service.get(1)).drafts[-1].id
    card = await world.wait_card(CURATOR, 1, having="v1")
    await world.until(
        lambda: (
            world.t.text("button.review", "ru", id=draft_id)
            in world.labels(CURATOR, world.card(CURATOR, 1))
        )  # type: ignore[arg-type]
    )
    world.press(CURATOR, world.card(CURATOR, 1), "button.review", CURATOR, id=draft_id)  # type: ignore[arg-type]
    header = await world.wait_bot_text(CURATOR, "версия 1 —")
    world.press(CURATOR, header, "button.approve", CURATOR)

    # The bot answers in the group, as a reply to the citizen's comment, exactly once.
    await world.until(lambda: bool(world.fake.bot_messages(DISCUSSION_CHAT)))
    [reply] = world.fake.bot_messages(DISCUSSION_CHAT)
    assert reply.text == ANSWER
    assert reply.reply_to is not None and reply.reply_to.message_id == comment.message_id
    link = f"https://t.me/c/{str(DISCUSSION_CHAT).removeprefix('-100')}/{reply.message_id}"
    await world.wait_card(CURATOR, 1, having=link)
    stored = await world.service.get(1)
    assert stored.status is IncidentStatus.ANSWERED
    assert stored.drafts[-1].status is DraftStatus.PUBLISHED
    assert stored.drafts[-1].published_url == link
    assert len(world.fake.bot_messages(DISCUSSION_CHAT)) == 1


async def test_an_edited_discussion_comment_updates_its_card(world: BotWorld) -> None:
    comment = world.fake.user_message(
        DISCUSSION_CHAT, "Во дворе дома 3 не горит фонарь", user_id=CITIZEN
    )
    await world.wait_card(CURATOR, 1)
    comment.text = "Во дворе дома 3 не горит фонарь уже неделю"
    comment.edit_date = comment.date + 60
    world.fake._enqueue_update("edited_message", world.fake._message_json(comment))
    card = await world.wait_card(CURATOR, 1, having="уже неделю")
    assert world.t.text("card.post_edited", "ru") in (card.content or "")


async def _person(world: BotWorld, key: str) -> int:
    assert world.engine is not None
    async with world.engine.connect() as connection:
        return int((await connection.execute(select(Person.id).where(Person.key == key))).scalar())


async def test_p16_a_link_to_another_network_or_post_is_refused_with_the_reason(
    world: BotWorld,
) -> None:
    post = Post(Source.OK, "https://ok.ru/group/5301/topic/1554", "Нет света в подъезде")
    incident = (await world.service.detect(post)).incident
    curator, roads = await _person(world, "curator"), await _person(world, "roads1")
    await world.service.perform(incident.id, curator, Route(("roads",), "Свет", "ул. Мира"))
    await world.service.perform(incident.id, roads, Take())
    outcome = await world.service.perform(incident.id, roads, SubmitDraft(text=ANSWER))
    draft_id = outcome.incident.drafts[-1].id
    await world.service.perform(incident.id, curator, Review(draft_id, approve=True))

    approved = world.t.text("draft.status.approved", "ru")
    card = await world.wait_card(ROADS_CHAT, incident.id, having=approved)
    world.press(ROADS_CHAT, card, "button.publish", ROADS_1, id=draft_id)
    copy = await world.wait_bot_text(ROADS_CHAT, "согласованный текст ответа")
    assert f"<code>{ANSWER}</code>" in (copy.content or "")
    assert world.t.text("publication.button", "ru") not in world.labels(ROADS_CHAT, copy)
    await world.wait_bot_text(ROADS_CHAT, "ссылку на размещённый ответ")
    world.fake.user_message(ROADS_CHAT, "https://vk.com/wall-1_5?reply=3", user_id=ROADS_1)
    await world.wait_bot_text(ROADS_CHAT, "ведёт в другую соцсеть")
    world.fake.user_message(ROADS_CHAT, "https://ok.ru/group/5301/topic/999", user_id=ROADS_1)
    await world.wait_bot_text(ROADS_CHAT, "ведёт на другую публикацию")
    assert (await world.service.get(incident.id)).status is IncidentStatus.IN_WORK
    right = "https://ok.ru/group/5301/topic/1554?comment=7"
    world.fake.user_message(ROADS_CHAT, right, user_id=ROADS_1)
    await world.wait_card(CURATOR, incident.id, having=right)
    assert (await world.service.get(incident.id)).status is IncidentStatus.ANSWERED


@pytest.fixture
async def centre_world(tmp_path: Path) -> AsyncIterator[BotWorld]:
    """PUBLISHER=centre: the curators publish the approved answer (п.16)."""
    world = BotWorld(tmp_path, {"PUBLISHER": "centre"}, Policy(publisher=Publisher.CENTRE))
    await world.start()
    try:
        yield world
    finally:
        await world.stop()


async def _events(world: BotWorld) -> int:
    assert world.engine is not None
    async with world.engine.connect() as connection:
        count = await connection.execute(select(func.count()).select_from(EventRow))
        return int(count.scalar())


async def test_p16_with_publisher_centre_the_curator_publishes_from_the_card(
    centre_world: BotWorld,
) -> None:
    world = centre_world
    post = Post(Source.OK, "https://ok.ru/group/5301/topic/1554", "Нет света в подъезде")
    incident_id = (await world.service.detect(post)).incident.id
    curator, roads = await _person(world, "curator"), await _person(world, "roads1")
    await world.service.perform(incident_id, curator, Route(("roads",), "Свет", "ул. Мира"))
    await world.service.perform(incident_id, roads, Take())
    await world.service.perform(incident_id, roads, SubmitDraft(text=ANSWER))
    draft_id = await approve_latest(world, incident_id)  # the curator approves on the card

    # The executor is told the centre publishes, and may not: refused at the press.
    await world.wait_bot_text(ROADS_1, "Ответ разместит центр управления")
    assert not any("Разместите" in (m.content or "") for m in world.fake.bot_messages(ROADS_1))
    card = await world.wait_card(ROADS_CHAT, incident_id)
    events = await _events(world)
    for forged in (
        CardCb(incident=incident_id, act=Act.PUBLISH, arg=draft_id).pack(),
        PublishCb(incident=incident_id, draft=draft_id).pack(),
    ):
        query = world.fake.press_button(
            ROADS_CHAT, card.message_id, forged, user_id=ROADS_1, check=False
        )
        await world.until(lambda query=query: query in world.fake.callback_answers)
        answer = str(world.fake.callback_answers[query].get("text", ""))
        assert answer.startswith(world.t.text("refusal.centre_publishes", "ru")), forged
    texts = [m.content or "" for m in world.fake.bot_messages(ROADS_CHAT)]
    assert not any("согласованный текст" in t or "ссылку на размещённый" in t for t in texts)
    assert await _events(world) == events

    # The curator presses the card's publication button: the text to copy, then the link.
    await world.until(
        lambda: (
            world.t.text("button.publish", "ru", id=draft_id)
            in world.labels(CURATOR, world.card(CURATOR, incident_id))  # type: ignore[arg-type]
        )
    )
    world.press(
        CURATOR,
        world.card(CURATOR, incident_id),
        "button.publish",
        CURATOR,
        id=draft_id,  # type: ignore[arg-type]
    )
    copy = await world.wait_bot_text(CURATOR, "согласованный текст ответа")
    assert f"<code>{ANSWER}</code>" in (copy.content or "")
    await world.wait_bot_text(CURATOR, "ссылку на размещённый ответ")
    # /cancel is a command, not a link: it ends the step; the button starts it again.
    world.fake.user_message(CURATOR, "/cancel", user_id=CURATOR)
    await world.wait_bot_text(CURATOR, world.t.text("flow.cancelled", "ru"))
    card = await world.wait_card(CURATOR, incident_id)
    world.press(CURATOR, card, "button.publish", CURATOR, id=draft_id)
    await world.wait_bot_text(CURATOR, "ссылку на размещённый ответ")
    link = "https://ok.ru/group/5301/topic/1554?comment=9"
    world.fake.user_message(CURATOR, link, user_id=CURATOR)
    await world.wait_card(CURATOR, incident_id, having=link)
    stored = await world.service.get(incident_id)
    assert stored.status is IncidentStatus.ANSWERED
    assert stored.drafts[-1].published_url == link
    assert stored.drafts[-1].published_by == curator
