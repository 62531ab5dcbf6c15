"""A step sets its new deadlines' reminder ladders up in its own transaction
(bot/services/step_news.py): the same rows the scanner's settle would write, no settle
after the press, and the scheduler told when to wake."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.deadlines.scheduler import SETTLE_JOB, WAKE_JOB, DeadlineScheduler
from bot.services.incidents import IncidentService
from bot.services.step_news import StepNews, step_listener
from db.models import DeadlineRow
from tests.deadlines.conftest import CONFIG, msk, post
from workflow.alerts import AlertPolicy
from workflow.commands import Route
from workflow.policy import Policy

ROUTE = Route(org_codes=("roads",), topic="Дороги", location="ул. Ленина")


async def _ladders(sessions, incident_id: int) -> list[tuple[int, int, datetime | None]]:
    async with sessions() as session:
        rows = await session.execute(
            select(DeadlineRow.position, DeadlineRow.alert_stage, DeadlineRow.next_alert_at)
            .where(DeadlineRow.incident_id == incident_id)
            .order_by(DeadlineRow.position)
        )
        return [tuple(row) for row in rows]


@pytest.fixture
def news() -> list[StepNews]:
    return []


@pytest.fixture
def stepping(sessions, clock, news) -> IncidentService:
    return IncidentService(
        sessions, clock, Policy(), CONFIG, alert_policy=AlertPolicy(), on_step=news.append
    )


async def test_a_step_writes_the_ladders_the_scanner_would_set_up(
    stepping, service, scanner, sessions, clock, people, news
) -> None:
    """The same incident through the scanner's settle and through the step itself."""
    clock.set(msk(2026, 5, 20, 10, 0))
    curator = people.people["curator"]
    by_step = (await stepping.detect(post(1))).incident.id
    by_scanner = (await service.detect(post(2))).incident.id
    await scanner.settle()
    clock.set(msk(2026, 5, 20, 10, 5))
    await stepping.perform(by_step, curator, ROUTE)
    await service.perform(by_scanner, curator, ROUTE)
    await scanner.settle()
    stepped, settled = await _ladders(sessions, by_step), await _ladders(sessions, by_scanner)
    assert stepped == settled
    assert all(next_at is None or next_at > clock.now() for _, _, next_at in stepped)
    # Nothing left for the scanner; the scheduler hears of the earliest reminder.
    assert [n.unsettled for n in news] == [False, False]
    running = [next_at for _, _, next_at in stepped[-2:] if next_at is not None]
    assert news[-1].next_alert_at == min(running)


async def test_a_reminder_due_at_once_is_left_to_the_scanner(
    stepping, sessions, clock, people, news
) -> None:
    # A post found 40 minutes late: the routing clock's half-time (10:30) has passed.
    clock.set(msk(2026, 5, 20, 10, 40))
    detected = msk(2026, 5, 20, 10, 0)
    incident_id = (await stepping.detect(post(3), detected_at=detected)).incident.id
    assert news[-1].unsettled
    ladders = await _ladders(sessions, incident_id)
    left = [p for p, stage, at in ladders if stage == 0 and at is not None and at <= clock.now()]
    set_up = [p for p, stage, at in ladders if at is not None and at > clock.now()]
    assert left and set_up  # the routing clock for the tick to fire; the others set up


async def test_after_a_step_the_scheduler_wakes_for_the_reminder_and_settles_nothing(
    scanner, digests, sessions, clock, people
) -> None:
    scheduler = DeadlineScheduler(scanner, digests, clock, tick_interval=timedelta(hours=1))
    published: list[bool] = []
    listener = step_listener(scheduler.poke, scheduler.expect, lambda: published.append(True))
    service = IncidentService(
        sessions, clock, Policy(), CONFIG, alert_policy=AlertPolicy(), on_step=listener
    )
    scheduler.start(paused=True)
    try:
        clock.set(msk(2026, 5, 20, 10, 0))
        await service.detect(post(4))
        assert scheduler.scheduler.get_job(SETTLE_JOB) is None
        wake = scheduler.scheduler.get_job(WAKE_JOB)
        assert wake is not None and wake.next_run_time == msk(2026, 5, 20, 10, 30)  # п.10 half
        assert published == []
        clock.set(msk(2026, 5, 20, 10, 30))
        assert (await scheduler.tick()).fired == 1  # the reminder set up by the step
    finally:
        await scheduler.shutdown()
