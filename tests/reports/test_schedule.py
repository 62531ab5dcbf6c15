"""The monthly report and the quarterly rating on their schedule, once per chat even across
a restart; January 2027 starts with holidays (its first working day is the 11th)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.deadlines.report_schedule import ScheduledReports, first_working_day
from db.models import OutboxRow
from tests.conftest import MOSCOW_OFFICE
from tests.support.directory_seed import SeededDirectory
from workflow.calendar import WorkingCalendar

MANAGER_CHAT, CURATOR_CHAT = 4001, 1001


async def _rows(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[int, str, dict]]:
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxRow.chat_id, OutboxRow.key, OutboxRow.params)
            .where(OutboxRow.kind == "report")
            .order_by(OutboxRow.id)
        )
        return [(chat, key, dict(params)) for chat, key, params in rows]


def test_january_2027_starts_working_on_the_11th() -> None:
    calendar = WorkingCalendar.russian("Europe/Moscow")
    assert first_working_day(calendar, date(2027, 1, 1)) == date(2027, 1, 11)
    assert first_working_day(calendar, date(2027, 2, 1)) == date(2027, 2, 1)


async def test_monthly_report_once_on_the_first_working_day_across_new_year(
    sessions: async_sessionmaker[AsyncSession], people: SeededDirectory
) -> None:
    clock = ManualClock(datetime(2026, 12, 31, 6, 5, tzinfo=UTC))  # 09:05 in Moscow, a day off
    scheduled = ScheduledReports(sessions, clock, MOSCOW_OFFICE)
    for _ in range(11):  # 31 December … 10 January: holidays and a weekend
        assert await scheduled.run() == 0
        clock.advance(timedelta(days=1))
    clock.advance(timedelta(minutes=-6))  # 11 January, 08:59: before the digest time
    assert await scheduled.run() == 0
    clock.advance(timedelta(minutes=6))
    # The manager: December's report and the fourth quarter's rating; the curator: the rating.
    assert await scheduled.run() == 3
    rows = await _rows(sessions)
    manager = [(key, params["title"], params["first"]) for chat, key, params in rows
               if chat == MANAGER_CHAT]  # fmt: skip
    assert manager == [
        ("reports.summary", "reports.title_monthly", "2026-12-01"),
        ("reports.chart", "reports.title_monthly", "2026-12-01"),
        ("reports.table", "reports.title_monthly", "2026-12-01"),
        ("reports.summary", "reports.title_quarterly", "2026-10-01"),
        ("reports.chart", "reports.title_quarterly", "2026-10-01"),
        ("reports.table", "reports.title_quarterly", "2026-10-01"),
    ]
    assert rows[0][2]["last"] == "2026-12-31"
    curator = [params["title"] for chat, _, params in rows if chat == CURATOR_CHAT]
    assert curator == ["reports.title_quarterly"] * 3

    assert await scheduled.run() == 0
    restarted = ScheduledReports(sessions, clock, MOSCOW_OFFICE)  # the marker is in the database
    assert await restarted.run() == 0
    clock.advance(timedelta(days=1))
    assert await restarted.run() == 0
    assert len(await _rows(sessions)) == 9

    clock.advance(datetime(2027, 2, 1, 6, 5, tzinfo=UTC) - clock.now())  # Monday 1 February
    assert await restarted.run() == 1  # January's report; no rating in a mid-quarter month
    february = (await _rows(sessions))[9:]
    assert [(chat, params["first"]) for chat, _, params in february] == [
        (MANAGER_CHAT, "2027-01-01")
    ] * 3
