"""End to end (п.16): a comment in the official channel's discussion group, once its answer
is approved, is answered by the bot itself as a reply in that group; the card shows the link
and the incident is answered. An edit of the comment reaches the card."""

from __future__ import annotations

from tests.e2e.flows import compose, route
from tests.e2e.harness import CURATOR, DISCUSSION_CHAT, ROADS_1, ROADS_CHAT, BotWorld
from workflow.model import DraftStatus, IncidentStatus

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
