"""Publications counted for their page: VK's wall_post_new of the community itself and a
Telegram channel's posts, per working week (Monday–Sunday) in the page's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.services.pages import PagesRefused
from db.models import IncidentRow
from db.models_pages import PagePost
from tests.pages.conftest import CHANNEL, VK_GROUP, msk, person, vk_event
from workflow.pages import week_bounds, week_start

# Sunday 17 May 2026, 15:30 UTC: still Sunday in Moscow, already Monday 01:30 in Vladivostok.
SUNDAY_LATE = datetime(2026, 5, 17, 15, 30, tzinfo=UTC)


def own_post(post_id: int, at: datetime, **extra: object) -> dict[str, object]:
    return {
        "id": post_id,
        "from_id": -VK_GROUP,
        "owner_id": -VK_GROUP,
        "date": int(at.timestamp()),
        "text": "Новости управления",
        "post_type": "post",
        **extra,
    }


async def counted(sessions) -> list[tuple[str, datetime]]:
    async with sessions() as session:
        rows = await session.execute(select(PagePost.url, PagePost.posted_at).order_by(PagePost.id))
        return [(url, at) for url, at in rows.all()]


async def test_community_wall_posts_count_for_the_page_and_open_no_incident(
    registry, sessions, vk, clock
) -> None:
    for post_id in (11, 12):
        reply = await vk.handle(vk_event(own_post(post_id, msk(2026, 5, 18, 7))))
        assert reply.response.text == "ok"
    await vk.handle(vk_event(own_post(11, msk(2026, 5, 18, 7))))  # VK resends: counted once
    # Not the page's own publications: a reader's post, a scheduled one, a suggested one.
    await vk.handle(vk_event({**own_post(13, msk(2026, 5, 18, 7)), "from_id": 777}))
    await vk.handle(vk_event(own_post(14, msk(2026, 5, 18, 7), post_type="postpone")))
    await vk.handle(vk_event(own_post(15, msk(2026, 5, 18, 7), post_type="suggest")))
    urls = [url for url, _ in await counted(sessions)]
    assert urls == [f"https://vk.com/wall-{VK_GROUP}_11", f"https://vk.com/wall-{VK_GROUP}_12"]
    async with sessions() as session:
        incidents = await session.scalars(select(IncidentRow.url))
        assert f"https://vk.com/wall-{VK_GROUP}_11" not in list(incidents)


async def test_posts_fall_into_the_working_week_of_the_pages_time_zone(
    registry, sessions, vk, pages, clock
) -> None:
    await vk.handle(vk_event(own_post(21, SUNDAY_LATE)))
    assert await pages.record_channel_post(CHANNEL, "parks_news", 5, SUNDAY_LATE)
    clock.set(msk(2026, 5, 18, 10))
    rows = {row.page.url: row for row in await pages.registry(await person(sessions, "curator"))}
    # Vladivostok (roads): Monday 01:30, this week. Moscow (parks): Sunday, last week.
    assert rows[f"https://vk.com/club{VK_GROUP}"].count == 1
    assert rows["https://t.me/parks_news"].count == 0
    own = await pages.registry(await person(sessions, "roads_head"))
    assert [row.page.url for row in own] == [f"https://vk.com/club{VK_GROUP}"]


async def test_channel_posts_count_by_chat_id_or_public_name(registry, pages, sessions) -> None:
    at = msk(2026, 5, 19, 12)
    assert await pages.record_channel_post(CHANNEL, None, 7, at)
    assert not await pages.record_channel_post(CHANNEL, None, 7, at)  # the same post again
    assert await pages.record_channel_post(-1009999, "Parks_News", 8, at)  # by the t.me name
    assert not await pages.record_channel_post(-1005555, "someone_else", 9, at)
    urls = [url for url, _ in await counted(sessions)]
    assert urls == ["https://t.me/c/1777000111/7", "https://t.me/parks_news/8"]


async def test_posted_by_hand_is_checked_against_the_page(registry, pages, sessions) -> None:
    parks_head = await person(sessions, "parks_head")
    roads_head = await person(sessions, "roads_head")
    posted = await pages.report_posted(parks_head, "https://ok.ru/group/70000001/topic/1555")
    assert (posted.counted, posted.count, posted.quota) == (True, 1, 5)
    again = await pages.report_posted(parks_head, "https://ok.ru/group/70000001/topic/1555/")
    assert (again.counted, again.count) == (False, 1)
    with pytest.raises(PagesRefused, match="not_yours"):
        await pages.report_posted(roads_head, "https://ok.ru/group/70000001/topic/1556")
    with pytest.raises(PagesRefused, match="no_page"):
        await pages.report_posted(parks_head, "https://ok.ru/group/123/topic/1")
    with pytest.raises(PagesRefused, match="bad_link"):
        await pages.report_posted(parks_head, "not a link")
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(PagePost)) == 1


def test_the_week_runs_monday_to_sunday_in_the_given_zone() -> None:
    from tests.pages.conftest import MSK, VLADIVOSTOK

    assert week_start(SUNDAY_LATE, MSK).isoformat() == "2026-05-11"
    assert week_start(SUNDAY_LATE, VLADIVOSTOK).isoformat() == "2026-05-18"
    start, end = week_bounds(week_start(SUNDAY_LATE, VLADIVOSTOK), VLADIVOSTOK)
    assert start.astimezone(UTC) == datetime(2026, 5, 17, 14, 0, tzinfo=UTC)
    assert (end - start).days == 7
