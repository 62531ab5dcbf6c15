"""п.10 at the intake: the community's own posts and the posts of officials the directory
knows (by their VK or Telegram id) open no incident; the callers still hear "ok"."""

from __future__ import annotations

from sqlalchemy import update

from bot.intake.service import Outcome
from bot.intake.triage import NotAnIncident, Sender, not_an_incident
from db.directory_cache import directory_changed
from db.models import Person
from tests.intake.conftest import VK_GROUP, VK_SECRET, counts
from workflow.model import Post, Source

NOTHING = {"incidents": 0, "events": 0, "outbox": 0, "duplicates": 0}
OFFICIAL_VK = 555001
CITIZEN_VK = 12345


def vk_comment(from_id: int, comment_id: int) -> dict[str, object]:
    return {
        "type": "wall_reply_new",
        "group_id": VK_GROUP,
        "event_id": f"reply-{comment_id}",
        "v": "5.199",
        "secret": VK_SECRET,
        "object": {
            "id": comment_id,
            "post_id": 12,
            "owner_id": -VK_GROUP,
            "from_id": from_id,
            "date": 1777442400,
            "text": "Спасибо за ответ! Дорогу отремонтировали.",
        },
    }


async def give_vk_id(sessions, person_id: int, vk_id: int) -> None:
    async with sessions() as session, session.begin():
        await session.execute(update(Person).where(Person.id == person_id).values(vk_id=vk_id))
        directory_changed(session)


def test_the_decision_names_the_community_before_an_official() -> None:
    own = Sender("vk", -VK_GROUP)
    official = Sender("vk", OFFICIAL_VK)
    assert not_an_incident(own, frozenset({own}), frozenset()) is NotAnIncident.COMMUNITY
    assert not_an_incident(official, frozenset({own}), frozenset({official})) is (
        NotAnIncident.OFFICIAL
    )
    assert not_an_incident(Sender("vk", CITIZEN_VK), frozenset({own}), frozenset()) is None
    assert not_an_incident(None, frozenset({own}), frozenset({official})) is None


async def test_p10_a_post_by_the_communitys_own_account_opens_nothing(client, sessions) -> None:
    response = await client.post("/vk/callback", json=vk_comment(-VK_GROUP, 46))
    assert (response.status, await response.text()) == (200, "ok")
    assert await counts(sessions) == NOTHING


async def test_p10_an_officials_vk_comment_opens_nothing_a_citizens_does(
    client, sessions, people
) -> None:
    await give_vk_id(sessions, people.people["roads_head"], OFFICIAL_VK)

    response = await client.post("/vk/callback", json=vk_comment(OFFICIAL_VK, 47))
    assert (response.status, await response.text()) == (200, "ok")
    assert await counts(sessions) == NOTHING

    response = await client.post("/vk/callback", json=vk_comment(CITIZEN_VK, 48))
    assert (response.status, await response.text()) == (200, "ok")
    assert (await counts(sessions))["incidents"] == 1


async def test_p10_an_officials_telegram_account_is_known_by_its_id(intake, sessions, people):
    post = Post(Source.TELEGRAM, "https://t.me/c/100/5", "Ответили в комментариях выше")
    official = Sender("telegram", people.telegram["roads_1"])

    submission = await intake.submit(post, sender=official)

    assert (submission.outcome, submission.skipped) == (
        Outcome.NOT_AN_INCIDENT,
        NotAnIncident.OFFICIAL,
    )
    assert submission.view is None and submission.incident_id is None
    assert await counts(sessions) == NOTHING
