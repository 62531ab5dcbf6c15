"""The stored facts of closed incidents (db/models_reports.py ReportFact): the figures are
the same whether an incident's facts are stored or judged at report time, and a stored
fact is used only while the incident is at the version it was stored at."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.housekeeping import Housekeeper, RetentionPolicy
from bot.services.incidents import IncidentService
from bot.services.period_reports import PeriodReports
from db import report_tallies
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import DeadlineRow, IncidentRow
from db.models_reports import ReportFact
from db.uow import UnitOfWork
from tests.conftest import MOSCOW_OFFICE
from tests.reports.incident_rows import add_org, add_rows
from tests.reports.november import november
from tests.support.directory_seed import SeededDirectory, seed_directory
from workflow.commands import Reopen
from workflow.model import DeadlineState
from workflow.rating import RatingWeights
from workflow.report_periods import Period

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
ONE, TWO, THREE, FOUR, FIVE, SIX, SEVEN, EIGHT, DECEMBER = range(9)


@pytest.fixture
def reports(sessions: async_sessionmaker[AsyncSession], clock: ManualClock) -> PeriodReports:
    return PeriodReports(sessions, clock, MOSCOW_OFFICE, RatingWeights())


async def store(sessions: async_sessionmaker[AsyncSession], clock: ManualClock) -> int:
    async with UnitOfWork(sessions, write=True) as uow:
        stored, _ = await uow.reports.store_facts(clock.now(), limit=1000)
        return stored


async def stored(sessions: async_sessionmaker[AsyncSession]) -> dict[int, int]:
    async with sessions() as session:
        rows = await session.execute(select(ReportFact.incident_id, ReportFact.version))
        return {incident: version for incident, version in rows.all()}


async def test_closed_incidents_only_are_stored_once_each(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, november_rows: list[int]
) -> None:
    assert await store(sessions, clock) == len(november_rows) - 1  # #4 is open
    assert november_rows[FOUR] not in await stored(sessions)
    assert await store(sessions, clock) == 0  # nothing changed: nothing to store again


async def test_the_housekeeper_stores_them_in_batches(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, november_rows: list[int]
) -> None:
    housekeeper = Housekeeper(sessions, clock, RetentionPolicy(), batch=5)
    assert await housekeeper.store_report_facts() == len(november_rows) - 1
    assert len(await stored(sessions)) == len(november_rows) - 1


async def test_stored_and_judged_facts_give_the_same_report(
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    reports: PeriodReports,
    november_rows: list[int],
) -> None:
    judged = await reports.build(NOVEMBER)
    await store(sessions, clock)
    from_store = await reports.build(NOVEMBER)
    assert from_store.total == judged.total
    assert from_store.per_org == judged.per_org
    assert from_store.rating == judged.rating and from_store.weeks == judged.weeks
    assert from_store.total.received == 8 and from_store.total.mean_hours == pytest.approx(1.7)


async def test_a_stored_fact_is_not_used_once_the_incident_is_reopened(
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    reports: PeriodReports,
    service: IncidentService,
    people: SeededDirectory,
    november_rows: list[int],
) -> None:
    await store(sessions, clock)
    two = november_rows[TWO]  # roads, answered late after 4 h
    before = (await reports.build(NOVEMBER)).total
    await service.perform(two, people.people["curator"], Reopen("ответ не по существу"))
    after = (await reports.build(NOVEMBER)).total
    # open again with a fresh answer clock running: judged now, not as stored
    assert (after.open_now, before.open_now) == (2, 1)
    assert (after.late, after.in_time) == (before.late - 1, before.in_time)
    # not stored while it is open; stored again (its new version) once closed
    assert await store(sessions, clock) == 0
    async with sessions() as session, session.begin():
        await session.execute(
            update(IncidentRow)
            .where(IncidentRow.id == two)
            .values(status="closed_no_answer", version=IncidentRow.version + 1)
        )
    await _cancel_clocks(sessions, two)
    assert await store(sessions, clock) == 1
    async with sessions() as session:
        version = await session.scalar(select(IncidentRow.version).where(IncidentRow.id == two))
    assert (await stored(sessions))[two] == version
    assert (await reports.build(NOVEMBER)).total.closed_p21 == before.closed_p21 + 1


async def test_a_fact_of_another_version_is_ignored(
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    reports: PeriodReports,
    november_rows: list[int],
) -> None:
    """Whatever a stale row says, the incident is judged from its own rows."""
    judged = await reports.build(NOVEMBER)
    await store(sessions, clock)
    async with sessions() as session, session.begin():
        await session.execute(
            update(ReportFact).values(answer=None, first_us=None, status="dismissed")
        )
        await session.execute(update(IncidentRow).values(version=IncidentRow.version + 1))
    again = await reports.build(NOVEMBER)
    assert again.total == judged.total and again.per_org == judged.per_org


async def _cancel_clocks(sessions: async_sessionmaker[AsyncSession], incident_id: int) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(DeadlineRow)
            .where(DeadlineRow.incident_id == incident_id)
            .values(state=DeadlineState.CANCELLED)
        )


async def test_many_incidents_to_judge_are_found_by_the_period(
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    reports: PeriodReports,
    november_rows: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Up to a few incidents to judge are read by their ids; more by the period."""
    await store(sessions, clock)
    async with sessions() as session, session.begin():  # #1 and #2 changed since stored
        await session.execute(
            update(IncidentRow)
            .where(IncidentRow.id.in_(november_rows[:2]))
            .values(version=IncidentRow.version + 1)
        )
    by_ids = await reports.build(NOVEMBER)
    monkeypatch.setattr(report_tallies, "_FEW", 1)
    by_period = await reports.build(NOVEMBER)
    assert by_period.total == by_ids.total and by_period.per_org == by_ids.per_org
    assert by_period.rating == by_ids.rating and by_period.weeks == by_ids.weeks
    assert by_ids.total.received == 8 and by_ids.total.mean_hours == pytest.approx(1.7)


async def test_an_in_memory_database_reads_both_periods_on_its_one_connection(
    clock: ManualClock,
) -> None:
    """The previous period is read on a connection of its own, except where there is
    only one (an in-memory SQLite): there on the report's own, one after the other."""
    engine = create_engine("sqlite+aiosqlite://")
    try:
        await upgrade(engine)
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            await seed_directory(session)
            await add_org(session, "water", "Водоканал")
            await add_rows(session, november())
        checkouts: list[object] = []
        event.listen(engine.sync_engine, "checkout", lambda *args: checkouts.append(args))
        report = await PeriodReports(sessions, clock, MOSCOW_OFFICE, RatingWeights()).build(
            NOVEMBER
        )
        assert len(checkouts) == 1  # the report's own session only
        assert report.total.received == 8
        assert [row.place_change for row in report.rating.rows] == [1, -1]  # October read
    finally:
        await engine.dispose()


async def test_the_previous_period_is_read_on_a_connection_of_its_own(
    engine: AsyncEngine, reports: PeriodReports, november_rows: list[int]
) -> None:
    checkouts: list[object] = []
    event.listen(engine.sync_engine, "checkout", lambda *args: checkouts.append(args))
    report = await reports.build(NOVEMBER, incidents=False)
    assert len(checkouts) == 2  # the report's session, and the previous period's
    assert [row.place_change for row in report.rating.rows] == [1, -1]
