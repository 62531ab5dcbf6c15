"""The APScheduler wiring: jobs, the exact wake-up, poking after a commit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from bot.deadlines.scanner import TickReport
from bot.deadlines.scheduler import (
    DIGEST_JOB,
    SETTLE_JOB,
    TICK_JOB,
    WAKE_JOB,
    DeadlineScheduler,
    wake_up_at,
)
from db.models import DeadlineRow
from tests.deadlines.conftest import msk, post
from workflow.commands import Route
from workflow.model import DeadlineState

TICK = timedelta(seconds=30)


def test_wake_up_only_when_the_next_alert_beats_the_tick() -> None:
    now = msk(2026, 5, 20, 10, 29, 50)
    assert wake_up_at(None, now, TICK) is None
    assert wake_up_at(msk(2026, 5, 20, 10, 30), now, TICK) == msk(2026, 5, 20, 10, 30)
    assert wake_up_at(msk(2026, 5, 20, 10, 30, 20), now, TICK) is None
    assert wake_up_at(msk(2026, 5, 20, 10, 0), now, TICK) == now  # overdue: at once


@pytest.fixture
async def wiring(scanner, digests, clock):
    scheduler = DeadlineScheduler(scanner, digests, clock, tick_interval=TICK)
    yield scheduler
    await scheduler.shutdown()


async def test_start_adds_the_tick_and_the_digest_jobs_catching_up_at_once(wiring, clock) -> None:
    clock.set(msk(2026, 5, 20, 10, 0))
    wiring.start(paused=True)
    tick = wiring.scheduler.get_job(TICK_JOB)
    assert tick is not None and tick.next_run_time == clock.now()
    assert tick.trigger.interval == TICK
    assert wiring.scheduler.get_job(DIGEST_JOB) is not None
    assert wiring.scheduler.get_job(WAKE_JOB) is None


async def test_tick_arranges_an_exact_wake_up_for_the_next_alert(
    wiring, service, clock, people
) -> None:
    wiring.start(paused=True)
    clock.set(msk(2026, 5, 20, 10, 0))
    await service.detect(post(1))
    await wiring.tick()  # the routing clock's half-time is 10:30: far off
    assert wiring.scheduler.get_job(WAKE_JOB) is None
    clock.set(msk(2026, 5, 20, 10, 29, 45))
    await wiring.tick()
    wake = wiring.scheduler.get_job(WAKE_JOB)
    assert wake is not None and wake.next_run_time == msk(2026, 5, 20, 10, 30)
    clock.set(msk(2026, 5, 20, 10, 30))
    report = await wiring.tick()
    assert report.fired == 1
    assert wiring.scheduler.get_job(WAKE_JOB) is None  # the next one (10:50) is far off


async def test_poke_settles_the_new_deadlines_at_once(wiring, clock) -> None:
    wiring.start(paused=True)
    clock.set(msk(2026, 5, 20, 10, 0))
    wiring.poke()
    settle = wiring.scheduler.get_job(SETTLE_JOB)
    assert settle is not None and settle.next_run_time == clock.now()
    wiring.poke()  # a burst of presses: still one settle
    assert [job.id for job in wiring.scheduler.get_jobs()].count(SETTLE_JOB) == 1


@pytest.fixture
def statements(engine) -> Iterator[list[str]]:
    """The SQL statements the engine runs while the test looks."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_a_poke_after_a_press_sets_up_the_ladders_without_a_scan(
    wiring, service, scanner, clock, people, outbox, sessions, statements
) -> None:
    wiring.start(paused=True)
    clock.set(msk(2026, 5, 20, 10, 0))
    incident_id = (await service.detect(post(3))).incident.id
    await wiring.tick()
    clock.set(msk(2026, 5, 20, 10, 5))
    await service.perform(
        incident_id,
        people.people["curator"],
        Route(org_codes=("roads",), topic="Дороги", location="ул. Ленина"),
    )
    await outbox.new(kind=None, prefix=None)
    statements.clear()
    wiring.poke()
    await wiring.scheduler.get_job(SETTLE_JOB).func()
    # No scan: no incident loaded, nothing written to the outbox, a handful of statements.
    assert len(statements) <= 4, statements
    assert not any("FROM incidents" in sql or "outbox" in sql for sql in statements)
    assert await outbox.new(kind=None, prefix=None) == []
    async with sessions() as session:
        rows = (
            await session.execute(
                select(DeadlineRow).where(
                    DeadlineRow.incident_id == incident_id,
                    DeadlineRow.state == DeadlineState.RUNNING,
                )
            )
        ).scalars()
        assert all(r.next_alert_at is not None and r.next_alert_at > clock.now() for r in rows)
    # The set-up ladders fire at their moments, each once.
    assert (await wiring.tick()).fired == 0
    clock.set(msk(2026, 5, 20, 11, 30))
    assert (await wiring.tick()).fired > 0
    assert (await wiring.tick()).fired == 0


async def test_a_settle_leaves_what_is_due_to_the_tick_and_wakes_it(
    wiring, service, clock, people, outbox
) -> None:
    wiring.start(paused=True)
    clock.set(msk(2026, 5, 20, 10, 0))
    await service.detect(post(4))
    clock.set(msk(2026, 5, 20, 10, 40))  # past the routing half-time, before its final
    assert await wiring.settle() == clock.now()
    wake = wiring.scheduler.get_job(WAKE_JOB)
    assert wake is not None and wake.next_run_time == clock.now()
    assert await outbox.new() == []
    assert (await wiring.tick()).fired == 1
    rows = await outbox.new()
    assert {(r.key, r.params["stage"]) for r in rows} == {("deadline.reminder", "half")}


async def test_a_settle_brings_the_wake_up_forward_only(wiring, service, clock, people) -> None:
    wiring.start(paused=True)
    tick = timedelta(hours=1)
    wiring.tick_interval = tick  # the routing half-time (10:30) comes before the next tick
    clock.set(msk(2026, 5, 20, 10, 0))
    await service.detect(post(5))
    assert await wiring.settle() == msk(2026, 5, 20, 10, 30)
    wake = wiring.scheduler.get_job(WAKE_JOB)
    assert wake is not None and wake.next_run_time == msk(2026, 5, 20, 10, 30)
    clock.set(msk(2026, 5, 20, 10, 1))
    await service.detect(post(6))
    assert await wiring.settle() == msk(2026, 5, 20, 10, 31)
    wake = wiring.scheduler.get_job(WAKE_JOB)
    assert wake is not None and wake.next_run_time == msk(2026, 5, 20, 10, 30)  # kept
    assert await wiring.settle() is None  # nothing new


async def test_a_poked_tick_runs_through_apscheduler(
    wiring, scanner, service, clock, people, outbox
) -> None:
    clock.set(msk(2026, 5, 20, 10, 0))
    await service.detect(post(2))
    clock.set(msk(2026, 5, 20, 11, 0))  # routing overdue
    done = asyncio.Event()
    original = scanner.tick

    async def tick() -> TickReport:
        report = await original()
        if report.fired:
            done.set()
        return report

    scanner.tick = tick  # type: ignore[method-assign]
    wiring.start()
    wiring.poke()
    await asyncio.wait_for(done.wait(), timeout=10)
    rows = await outbox.new()
    assert {(r.key, r.params["kind"]) for r in rows} == {("deadline.overdue", "route")}


async def test_a_failing_tick_is_logged_not_raised(wiring, scanner, caplog) -> None:
    async def broken() -> TickReport:
        raise RuntimeError("database went away")

    scanner.tick = broken  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="bot.deadlines.scheduler"):
        await wiring._tick_job()
    assert "deadline scan failed" in caplog.text


def test_intervals_must_be_positive(scanner, digests, clock) -> None:
    with pytest.raises(ValueError):
        DeadlineScheduler(scanner, digests, clock, tick_interval=timedelta(0))
