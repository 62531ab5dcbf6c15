"""The APScheduler wiring: jobs, the exact wake-up, poking after a commit."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from bot.deadlines.scanner import TickReport
from bot.deadlines.scheduler import DIGEST_JOB, TICK_JOB, WAKE_JOB, DeadlineScheduler, wake_up_at
from tests.deadlines.conftest import msk, post

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


async def test_poke_wakes_the_scanner_at_once(wiring, clock) -> None:
    wiring.start(paused=True)
    clock.set(msk(2026, 5, 20, 10, 0))
    wiring.poke()
    wake = wiring.scheduler.get_job(WAKE_JOB)
    assert wake is not None and wake.next_run_time == clock.now()


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
