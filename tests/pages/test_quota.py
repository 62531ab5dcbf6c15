"""The weekly quota enforced like a deadline: the Thursday reminder (once, to the page's
responsible official, only below the pro-rata quota, at the page's local time) and the
Monday table for the curators and managers (pages under quota first)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.pages.jobs import PageJobs
from tests.conftest import MOSCOW_OFFICE
from tests.pages.conftest import (
    CHANNEL,
    CURATOR,
    MANAGER,
    PARKS_HEAD,
    ROADS_HEAD,
    VK_GROUP,
    msk,
    outbox,
    person,
)
from workflow.alerts import AlertPolicy
from workflow.pages import PagePolicy


async def seed_week(pages, sessions) -> None:
    """Week of Monday 18 May 2026: roads (VK, quota 3) 2 posts, the parks channel (quota 3)
    1 post, the parks head's OK page (quota 5) none."""
    await pages.record_vk_post(VK_GROUP, 1, msk(2026, 5, 18, 12))
    await pages.record_vk_post(VK_GROUP, 2, msk(2026, 5, 19, 12))
    await pages.record_channel_post(CHANNEL, "parks_news", 1, msk(2026, 5, 19, 12))


async def test_thursday_reminder_once_to_the_responsible_only_below_quota(
    registry, sessions, pages, jobs, clock
) -> None:
    await seed_week(pages, sessions)
    clock.set(msk(2026, 5, 21, 8, 59))  # Thursday, a minute before the digest time
    await jobs.run()
    assert await outbox(sessions, "pages.quota_reminder") == []
    clock.set(msk(2026, 5, 21, 9, 0))
    await jobs.run()
    await jobs.run()
    restarted = PageJobs(sessions, clock, MOSCOW_OFFICE, PagePolicy(), AlertPolicy())
    clock.set(msk(2026, 5, 21, 15, 0))
    await restarted.run()
    rows = await outbox(sessions, "pages.quota_reminder")
    # The channel: 1 of 3 by Thursday (2 expected); the OK page: 0 of 5 (3 expected).
    # Roads: 2 of 3 is its share by Thursday: no reminder.
    assert sorted(
        (r.chat_id, r.params["url"], r.params["count"], r.params["missing"]) for r in rows
    ) == [
        (PARKS_HEAD, "https://ok.ru/group/70000001", 0, 5),
        (PARKS_HEAD, "https://t.me/parks_news", 1, 2),
    ]
    assert {r.params["expected"] for r in rows} == {2, 3}


async def test_reminder_comes_at_the_pages_own_local_time(registry, sessions, jobs, clock) -> None:
    # 09:00 on Thursday in Vladivostok is 02:00 in Moscow: only the roads page is due.
    clock.set(datetime(2026, 5, 20, 23, 0, tzinfo=UTC))
    await jobs.run()
    rows = await outbox(sessions, "pages.quota_reminder")
    assert [(r.chat_id, r.params["url"], r.params["count"]) for r in rows] == [
        (ROADS_HEAD, f"https://vk.com/club{VK_GROUP}", 0)
    ]


async def test_a_holiday_moves_the_reminder_to_the_next_working_moment(sessions, clock) -> None:
    from tests.pages.conftest import directory, load

    await load(sessions, directory(roads_page=False))
    # Reminders on Wednesdays; Wednesday 4 November 2026 is a public holiday.
    jobs = PageJobs(sessions, clock, MOSCOW_OFFICE, PagePolicy(reminder_weekday=2), AlertPolicy())
    clock.set(msk(2026, 11, 4, 12, 0))
    await jobs.run()
    assert await outbox(sessions, "pages.quota_reminder") == []
    clock.set(msk(2026, 11, 5, 9, 0))  # Thursday: the next working moment
    await jobs.run()
    rows = await outbox(sessions, "pages.quota_reminder")
    # Working days Mon 2, Tue 3, Thu 5, Fri 6: two gone, so 2 of 3 and 3 of 5 expected.
    assert sorted((r.chat_id, r.params["quota"], r.params["expected"]) for r in rows) == [
        (PARKS_HEAD, 3, 2),
        (PARKS_HEAD, 5, 3),
    ]


async def test_monday_table_for_curators_and_managers_under_quota_first(
    registry, sessions, pages, jobs, clock
) -> None:
    await seed_week(pages, sessions)
    await pages.report_posted(
        await person(sessions, "roads_head"), f"https://vk.com/wall-{VK_GROUP}_3"
    )
    clock.set(msk(2026, 5, 25, 9, 0))  # the next Monday at the digest time
    await jobs.run()
    await jobs.run()
    rows = await outbox(sessions, "pages.week_table")
    assert sorted(r.chat_id for r in rows) == [CURATOR, MANAGER]
    table = rows[0].params["table"].splitlines()
    assert table[0].startswith("⚠️ 0/5") and "ok.ru" in table[0]
    assert table[1].startswith("⚠️ 1/3") and "t.me/parks_news" in table[1]
    assert table[2].startswith("✅ 3/3") and f"club{VK_GROUP}" in table[2]
    assert (rows[0].params["under"], rows[0].params["total"]) == (2, 3)
    assert rows[0].params["week_start"] == "2026-05-18"
    assert await outbox(sessions, "pages.quota_reminder") == []  # Monday is not the day
