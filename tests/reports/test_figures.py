"""The figures of November 2026 over the fixed incidents of tests/reports/november.py, each
worked out by hand here, on SQLite and PostgreSQL; each test twice: with every incident
judged at report time, and with the closed ones' facts stored (db/models_reports.py)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.services.period_reports import PeriodReports
from db.uow import UnitOfWork
from tests.conftest import MOSCOW_OFFICE
from workflow.rating import RatingWeights
from workflow.report_periods import Period

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture(autouse=True, params=["judged", "stored"])
async def facts_stored(
    request: pytest.FixtureRequest,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    november_rows: list[int],
) -> None:
    if request.param == "stored":
        async with UnitOfWork(sessions, write=True) as uow:
            stored, _ = await uow.reports.store_facts(clock.now(), limit=100)
            assert stored > 0


@pytest.fixture
def reports(sessions: async_sessionmaker[AsyncSession], clock: ManualClock) -> PeriodReports:
    return PeriodReports(sessions, clock, MOSCOW_OFFICE, RatingWeights())


async def test_whole_administration(reports: PeriodReports, november_rows: list[int]) -> None:
    total = (await reports.build(NOVEMBER)).total
    assert total.received == 8  # December's and October's are outside
    assert (total.in_time, total.late) == (4, 2)  # late: #2 answered late, #4 still running
    assert total.in_time_share == pytest.approx(4 / 6)
    assert (total.without_interim, total.with_interim, total.final_in_time) == (4, 1, 1)
    # first answer: 2 h, 4 h (lunch skipped), 1 h (the interim), 0.5 h, 1 h
    assert total.mean_hours == pytest.approx(8.5 / 5)
    assert total.median_hours == pytest.approx(1.0)
    assert total.returns == 3
    assert total.reasons == (("spelling", 2), ("format", 1), ("off_topic", 1))
    assert total.not_ours == 1
    assert total.not_ours_mean_minutes == pytest.approx(20)  # 14:00→14:20 in Novosibirsk
    assert (total.closed_p21, total.dismissed) == (1, 1)  # п.21 and п.10 apart
    assert (total.open_now, total.overdue_now) == (1, 1)


async def test_per_organisation(reports: PeriodReports, november_rows: list[int]) -> None:
    per_org = (await reports.build(NOVEMBER)).per_org
    roads, water, parks = per_org["roads"], per_org["water"], per_org["parks"]
    assert (roads.received, roads.in_time, roads.late) == (3, 2, 1)
    assert roads.mean_hours == pytest.approx(7 / 3)
    assert roads.median_hours == pytest.approx(2.0)
    assert (roads.returns, roads.not_ours) == (2, 1)
    assert roads.returns_per_incident == pytest.approx(2 / 3)
    assert (water.received, water.in_time, water.late, water.returns) == (2, 2, 0, 1)
    assert water.mean_hours == pytest.approx(0.75)
    assert (parks.received, parks.late, parks.overdue_now) == (1, 1, 1)


async def test_rating_orders_and_leaves_out_an_organisation_under_the_minimum(
    reports: PeriodReports, november_rows: list[int]
) -> None:
    rating = (await reports.build(NOVEMBER)).rating
    # water: 100·(0.5·1 + 0.3·(1 − 0.75/6) + 0.2·1/(1 + 1/2)) = 89.58
    # roads: 100·(0.5·2/3 + 0.3·(1 − (7/3)/6) + 0.2·1/(1 + 2/3)) = 63.67
    assert [(row.org_code, row.score) for row in rating.rows] == [
        ("water", 89.6),
        ("roads", 63.7),
    ]
    assert rating.not_rated == ("parks",)  # one incident, the minimum is 2
    # October: roads both in time (1st), water both late (2nd).
    assert [row.place_change for row in rating.rows] == [1, -1]


async def test_weights_and_minimum_are_configuration(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, november_rows: list[int]
) -> None:
    only_in_time = PeriodReports(
        sessions, clock, MOSCOW_OFFICE, RatingWeights(in_time=1, speed=0, quality=0, minimum=1)
    )
    rating = (await only_in_time.build(NOVEMBER)).rating
    assert [(row.org_code, row.score) for row in rating.rows] == [
        ("water", 100.0),
        ("roads", 66.7),
        ("parks", 0.0),
    ]


async def test_one_organisation_only(reports: PeriodReports, november_rows: list[int]) -> None:
    report = await reports.build(NOVEMBER, "roads")
    assert list(report.per_org) == ["roads"]
    assert (report.total.received, report.total.in_time, report.total.not_ours) == (3, 2, 1)
    # the incident roads declined is in its list (for "not ours") but not received by it
    assert len(report.facts) == 4


async def test_weekly_trend(reports: PeriodReports, november_rows: list[int]) -> None:
    weeks = (await reports.build(NOVEMBER)).weeks
    by_monday = {point.monday: (point.in_time, point.late) for point in weeks}
    assert by_monday[date(2026, 11, 2)] == (2, 1)  # #1, #3 in time; #2 late
    assert by_monday[date(2026, 11, 9)] == (2, 0)
    assert by_monday[date(2026, 11, 23)] == (0, 1)
    assert date(2026, 10, 26) in by_monday  # 1 November is a Sunday


async def test_p21_closings_and_p10_dismissals_are_counted_apart(
    reports: PeriodReports, november_rows: list[int]
) -> None:
    report = await reports.build(NOVEMBER)
    assert (report.total.closed_p21, report.total.dismissed) == (1, 1)
    # Neither is in time or late, and neither is any organisation's.
    assert report.total.judged == 6
    assert sum(fig.closed_p21 + fig.dismissed for fig in report.per_org.values()) == 0


async def test_p14_return_reasons_most_frequent_first(
    reports: PeriodReports, november_rows: list[int]
) -> None:
    report = await reports.build(NOVEMBER)
    assert report.per_org["roads"].reasons == (("spelling", 2), ("off_topic", 1))
    assert report.per_org["water"].reasons == (("format", 1),)


async def test_p18_final_answer_after_an_interim(
    reports: PeriodReports, november_rows: list[int]
) -> None:
    roads = (await reports.build(NOVEMBER)).per_org["roads"]
    assert (roads.without_interim, roads.with_interim, roads.final_in_time) == (2, 1, 1)


async def test_same_figures_on_sqlite_without_unixepoch(
    reports: PeriodReports,
    sessions: async_sessionmaker[AsyncSession],
    november_rows: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite before 3.38 has no unixepoch(): the moments go through strftime('%s')."""
    dialect = sessions.kw["bind"].dialect
    if dialect.name != "sqlite":
        pytest.skip("SQLite only")
    modern = await reports.build(NOVEMBER, incidents=False)
    monkeypatch.setattr(dialect, "server_version_info", (3, 37, 2))
    older = await reports.build(NOVEMBER, incidents=False)
    assert older.total == modern.total
    assert older.total.mean_hours == pytest.approx(8.5 / 5)
    assert older.per_org == modern.per_org and older.rating == modern.rating
