"""The scanner's sweeps over real rows: finding new rows, batches, concurrency, failures and queue
order."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, timedelta

from sqlalchemy import update

from bot.deadlines.scanner import DeadlineScanner
from db.models import DeadlineRow
from db.outbox_repository import Priority
from tests.deadlines.conftest import msk, post
from tests.deadlines.scanner_helpers import CURATORS, MANAGER, alert, at, deadline_rows, fired
from workflow.alerts import AlertStage
from workflow.model import DeadlineKind


async def test_new_rows_are_found_above_the_floor_and_stragglers_at_the_next_full_sweep(
    service, make_scanner, clock, people, sessions
) -> None:
    scanner = make_scanner(full_sweep_every=timedelta(minutes=10))
    clock.set(msk(2026, 5, 20, 10, 0))
    first = (await service.detect(post(8))).incident.id
    await scanner.tick()  # full sweep
    second = (await service.detect(post(9))).incident.id
    await scanner.tick()  # above the floor: the new rows get their ladder
    assert all(r.next_alert_at is not None for r in await deadline_rows(sessions, second))
    # A row below the floor that was still uncommitted during the sweep: looks unset.
    async with sessions() as session, session.begin():
        await session.execute(
            update(DeadlineRow)
            .where(DeadlineRow.incident_id == first)
            .values(next_alert_at=None, alert_stage=0)
        )
    await at(clock, scanner, msk(2026, 5, 20, 10, 5))
    assert all(r.next_alert_at is None for r in await deadline_rows(sessions, first))
    await at(clock, scanner, msk(2026, 5, 20, 10, 10))
    assert all(r.next_alert_at is not None for r in await deadline_rows(sessions, first))


async def test_next_due_is_the_earliest_alert_of_a_running_deadline(
    service, scanner, clock, people
) -> None:
    assert await scanner.next_due() is None
    clock.set(msk(2026, 5, 20, 10, 0))
    await service.detect(post(10))
    await scanner.tick()
    assert await scanner.next_due() == msk(2026, 5, 20, 10, 30)  # routing half-time


async def test_small_batches_still_fire_everything_once(
    service, make_scanner, clock, people, outbox
) -> None:
    clock.set(msk(2026, 5, 20, 10, 0))
    for number in range(7):
        await service.detect(post(100 + number))
    await outbox.new()
    scanner = make_scanner(batch_size=3)
    report = await at(clock, scanner, msk(2026, 5, 20, 11, 0))  # routing overdue for all 7
    assert report.fired == 7 and report.batches >= 3
    rows = await outbox.new()
    assert (
        Counter((r.chat_id, r.incident_id, r.params["kind"]) for r in rows).most_common(1)[0][1]
        == 1
    )
    assert len(rows) == 7 * len(CURATORS)


async def _race(scanners: list[DeadlineScanner]) -> int:
    reports = await asyncio.gather(*(s.tick() for s in scanners))
    return sum(r.fired for r in reports)


async def test_concurrent_scanners_fire_each_alert_once(
    service, make_scanner, clock, people, outbox
) -> None:
    clock.set(msk(2026, 5, 20, 10, 0))
    count = 12
    for number in range(count):
        await service.detect(post(200 + number))
    await outbox.new()
    scanners = [make_scanner(batch_size=5) for _ in range(3)]
    assert await _race(scanners) == 0  # setting up the ladders, concurrently
    moments = [
        msk(2026, 5, 20, 10, 30),  # routing: half-time
        msk(2026, 5, 20, 10, 50),  # routing: final reminder
        msk(2026, 5, 20, 11, 30),  # routing escalated, answer half-time
        msk(2026, 5, 21, 9, 0),  # answer: final, overdue, escalated collapsed
    ]
    fired_total = 0
    for moment in moments:
        clock.set(moment)
        fired_total += await _race(scanners)
        fired_total += await _race(scanners)  # again at the same moment: nothing more
    assert fired_total == count * 5
    rows = await outbox.new()
    keys = Counter(
        (r.chat_id, r.incident_id, r.params["deadline"], r.params["stage"]) for r in rows
    )
    assert max(keys.values()) == 1
    # Curators: route half and final, answer half; route escalated with its overdue folded
    # in, answer escalated with final and overdue folded in: curators and the manager.
    assert len(rows) == count * (2 + 2 + 2 + 3 + 3)


async def test_ladder_state_survives_in_the_rows(service, scanner, clock, people, sessions) -> None:
    clock.set(msk(2026, 5, 20, 10, 0))
    incident_id = (await service.detect(post(11))).incident.id
    await at(clock, scanner, msk(2026, 5, 20, 10, 30))
    answer, route = await deadline_rows(sessions, incident_id)
    assert (route.alert_stage, route.next_alert_at) == (AlertStage.HALF, msk(2026, 5, 20, 10, 50))
    assert (answer.alert_stage, answer.next_alert_at) == (AlertStage.NONE, msk(2026, 5, 20, 11, 30))
    assert route.next_alert_at is not None and route.next_alert_at.tzinfo is UTC


async def test_a_deadline_that_cannot_be_worked_out_does_not_stop_the_others(
    service, scanner, clock, people, outbox, sessions, monkeypatch, caplog
) -> None:
    import bot.deadlines.scanner as scanner_module

    clock.set(msk(2026, 5, 20, 10, 0))
    incident_id = (await service.detect(post(12))).incident.id
    await outbox.new()
    real_decide = scanner_module.decide

    def fragile(deadline, *args, **kwargs):
        if deadline.kind is DeadlineKind.ROUTE:
            raise ValueError("broken calendar data")
        return real_decide(deadline, *args, **kwargs)

    monkeypatch.setattr(scanner_module, "decide", fragile)
    with caplog.at_level("ERROR", logger="bot.deadlines.scanner"):
        await at(clock, scanner, msk(2026, 5, 20, 11, 30))
    assert "cannot work out its alerts" in caplog.text
    assert fired(await outbox.new()) == alert(CURATORS, "deadline.reminder", "answer", "half")
    _answer, route = await deadline_rows(sessions, incident_id)
    assert route.next_alert_at == msk(2026, 5, 20, 11, 35)  # looked at again in 5 minutes
    monkeypatch.setattr(scanner_module, "decide", real_decide)
    await at(clock, scanner, msk(2026, 5, 20, 11, 35))
    assert fired(await outbox.new()) == alert(
        CURATORS | {MANAGER}, "deadline.overdue_escalated", "route", "escalated"
    )


async def test_a_row_moved_under_the_scanner_rolls_the_whole_batch_back(
    service, scanner, clock, people, outbox, sessions, monkeypatch
) -> None:
    from db.deadline_repository import DeadlineRepository

    clock.set(msk(2026, 5, 20, 10, 0))
    incident_id = (await service.detect(post(13))).incident.id
    await scanner.tick()
    await outbox.new()
    real_advance = DeadlineRepository.advance

    async def meddling(self, moves):
        # Someone else moves one claimed row on, inside our transaction's view.
        await self._session.execute(
            update(DeadlineRow)
            .where(DeadlineRow.id == moves[0].claim.id)
            .values(alert_stage=AlertStage.FINAL)
        )
        await real_advance(self, moves)

    monkeypatch.setattr(DeadlineRepository, "advance", meddling)
    report = await at(clock, scanner, msk(2026, 5, 20, 11, 30))  # both clocks due
    assert report.fired == 0
    assert await outbox.new(prefix=None) == []
    assert {r.alert_stage for r in await deadline_rows(sessions, incident_id)} == {0}


async def test_overdue_alerts_go_before_notices_in_their_chats_queue(
    service, scanner, clock, people, outbox
) -> None:
    clock.set(msk(2026, 5, 20, 10, 0))
    await service.detect(post(14))
    await scanner.tick()
    await outbox.new()
    await at(clock, scanner, msk(2026, 5, 20, 10, 30))  # routing half-time: a reminder
    reminders = await outbox.new()
    await at(clock, scanner, msk(2026, 5, 20, 11, 0))  # routing overdue
    overdue = await outbox.new(kind=None, prefix=None)
    assert reminders and {r.priority for r in reminders} == {Priority.NOTICE}
    assert {(r.kind, r.priority) for r in overdue} == {
        ("message", Priority.ACTION),
        ("card", Priority.ACTION),
    }
