"""The deadline scanner: claims the deadlines whose next alert is due and fires it once.

Deadlines live in the database (ARCHITECTURE.md): each row keeps the last stage of its
ladder fired (`alert_stage`) and when the next one is due (`next_alert_at`, indexed). A
tick claims the due rows, works out what to send (`workflow.alerts.decide`), and in the same
unit of work advances the rows and writes the outbox rows, so an alert is sent exactly once
(the claims and the guarded moves are db/deadline_repository.py's):

- PostgreSQL: rows are claimed with `SELECT … FOR UPDATE SKIP LOCKED`, so several bot
  processes can scan together, each taking different rows.
- SQLite: the transaction opens with a write (clearing stopped rows), which takes the
  database's write lock before anything is read; a second scanner waits for it and then
  reads the advanced rows.
- Both: the claimed rows are advanced in one statement guarded per row by the stage read;
  should any of them have moved elsewhere, the whole batch (its outbox rows with it) is
  rolled back and the next tick starts afresh.

A tick with a handful due over 100,000 open incidents takes about 15 ms
(bench/bench_scanner.py). Only the incidents whose alerts fire are loaded: setting up or
moving a ladder needs the deadline row and the calendars alone.

Restarts lose nothing: everything is in rows, and the first tick after a restart fires what
fell due meanwhile, a missed ladder collapsed into its latest step (workflow/alerts.py).

New deadline rows arrive due at once (`next_alert_at` = their start, db/incident_store.py);
`settle`, run after a command commits, sets up their ladders without firing anything and
says when the scanner is next needed, so that a press costs a few statements instead of a
scan. Rows with `next_alert_at` NULL and nothing fired (written by other means) are found
cheaply by id: every tick looks above the highest id seen when the last full sweep began,
and a full sweep (at start, then every `full_sweep_every`) catches rows whose transaction
was still open at that moment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.deadlines.alert_writer import AlertWriter
from bot.services.calendars import CalendarConfig, load_calendars
from bot.services.outbox_writer import OutboxWriter
from db.deadline_repository import DeadlineClaim, LadderMove, LostRace
from db.uow import UnitOfWork
from workflow.alerts import (
    AlertDecision,
    AlertPolicy,
    AlertStage,
    alert_messages,
    decide,
    set_up,
)
from workflow.calendars import Calendars
from workflow.fairness import late_steps_json
from workflow.model import ANSWER_DEADLINE_KINDS

__all__ = ["RETRY_AFTER_ERROR", "DeadlineScanner", "LostRace", "TickReport"]

log = logging.getLogger(__name__)

RETRY_AFTER_ERROR = timedelta(minutes=5)  # a deadline whose ladder could not be worked out


@dataclass(slots=True)
class TickReport:
    claimed: int = 0  # deadline rows looked at
    fired: int = 0  # alerts fired (one per deadline and step)
    collapsed: int = 0  # earlier steps folded into a fired one (missed while down)
    messages: int = 0  # outbox rows written for alerts
    batches: int = 0

    def add(self, other: TickReport) -> None:
        self.claimed += other.claimed
        self.fired += other.fired
        self.collapsed += other.collapsed
        self.messages += other.messages
        self.batches += other.batches


@dataclass(frozen=True, slots=True)
class _Firing:
    claim: DeadlineClaim
    decision: AlertDecision


class DeadlineScanner:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        calendar_config: CalendarConfig,
        policy: AlertPolicy | None = None,
        *,
        default_locale: str = "ru",
        batch_size: int = 500,
        full_sweep_every: timedelta = timedelta(minutes=10),
        max_batches: int = 1000,
    ) -> None:
        if not 1 <= batch_size <= 2000:
            # Each row of a batch takes a few bind parameters in one statement.
            raise ValueError("batch_size must be between 1 and 2000")
        self._sessions = session_factory
        self._clock = clock
        self._calendar_config = calendar_config
        self.policy = policy or AlertPolicy()
        self._writer = OutboxWriter(default_locale)
        self._batch_size = batch_size
        self._full_sweep_every = full_sweep_every
        self._max_batches = max_batches
        # New rows are looked for above this id; None: sweep them all.
        self._floor: int | None = None
        self._last_full_sweep: datetime | None = None

    async def tick(self) -> TickReport:
        """Fire everything due now, batch by batch, each batch one unit of work."""
        now = self._clock.now()
        full = (
            self._last_full_sweep is None or now - self._last_full_sweep >= self._full_sweep_every
        )
        new_floor = await self._max_deadline_id() if full else None
        floor = None if full else self._floor
        report = TickReport()
        for _ in range(self._max_batches):
            try:
                batch, more = await self._batch(now, floor)
            except LostRace as lost:
                log.warning("deadline scan: %s; the batch is rolled back, next tick retries", lost)
                full = False  # the sweep did not finish: keep the old floor
                break
            report.add(batch)
            if not more:
                break
        else:
            log.warning(
                "deadline scan stopped after %d batches; the rest next tick", report.batches
            )
        if full:
            self._floor = new_floor
            self._last_full_sweep = now
        if report.fired:
            log.info(
                "deadline scan: %d alerts fired (%d collapsed steps), %d messages",
                report.fired,
                report.collapsed,
                report.messages,
            )
        return report

    async def settle(self) -> datetime | None:
        """Set up the ladders of deadlines that came due for it (new ones), firing nothing.

        The cheap work after a command commits: the due rows only (no incident loaded, no
        outbox written). Returns when the scanner is next needed for what it looked at: the
        earliest next alert set up, `now` when something is due to fire already (the tick
        fires it), None when nothing was due.
        """
        now = self._clock.now()
        wake: datetime | None = None
        try:
            async with UnitOfWork(self._sessions) as uow:
                await uow.deadlines.clear_stopped(now)  # first a write: SQLite's lock
                claims = await uow.deadlines.claim_due(now, self._batch_size)
                if not claims:
                    return None
                calendars = await self._calendars(uow)
                moves: list[LadderMove] = []
                for claim in claims:
                    if not claim.running:
                        moves.append(LadderMove(claim, claim.alert_stage, None))
                        continue
                    move = self._set_up(claim, calendars, now)
                    if move is None:
                        wake = now  # due to fire, or cannot be worked out: the tick's work
                        continue
                    moves.append(move)
                    if move.next_at is not None:
                        wake = move.next_at if wake is None else min(wake, move.next_at)
                await uow.deadlines.advance(moves)
        except LostRace as lost:
            log.info("deadline settle: %s; the tick takes over", lost)
            return now
        return now if len(claims) == self._batch_size else wake

    async def next_due(self) -> datetime | None:
        """The earliest next alert of a running deadline, for an exact wake-up."""
        async with UnitOfWork(self._sessions) as uow:
            return await uow.deadlines.next_alert()

    async def _max_deadline_id(self) -> int:
        async with UnitOfWork(self._sessions) as uow:
            return await uow.deadlines.max_id()

    async def _calendars(self, uow: UnitOfWork) -> Calendars:
        return await load_calendars(uow.directory, self._calendar_config)

    async def _batch(self, now: datetime, floor: int | None) -> tuple[TickReport, bool]:
        report = TickReport(batches=1)
        limit = self._batch_size
        async with UnitOfWork(self._sessions) as uow:
            deadlines = uow.deadlines
            await deadlines.clear_stopped(now)  # first a write: SQLite's lock before we read
            due = await deadlines.claim_due(now, limit)
            fresh = await deadlines.claim_fresh(floor, limit)
            claims = due + fresh
            if not claims:
                return report, False
            report.claimed = len(claims)
            calendars = await self._calendars(uow)
            moves: list[LadderMove] = []
            firing: list[_Firing] = []
            for claim in claims:
                if not claim.running:
                    moves.append(LadderMove(claim, claim.alert_stage, None))  # out of range
                    continue
                decision = self._decide(claim, calendars, now)
                if decision is None:
                    moves.append(LadderMove(claim, claim.alert_stage, now + RETRY_AFTER_ERROR))
                elif decision.fire is None:
                    moves.append(LadderMove(claim, decision.reached, decision.next_at))
                else:
                    firing.append(_Firing(claim, decision))
            writer = AlertWriter(uow, self._writer, calendars, self.policy, now)
            fired = await self._fire(uow, writer, firing, calendars, now, moves)
            await deadlines.advance(moves)
            for item in fired:
                report.fired += 1
                report.collapsed += len(item.decision.skipped)
            report.messages = await writer.write()
        return report, len(due) == limit or len(fresh) == limit

    async def _fire(
        self,
        uow: UnitOfWork,
        writer: AlertWriter,
        firing: list[_Firing],
        calendars: Calendars,
        now: datetime,
        moves: list[LadderMove],
    ) -> list[_Firing]:
        """Queue the alerts of the rows that fire (their incidents loaded in one go) and add
        their moves; returns the ones fired."""
        if not firing:
            return []
        incidents = await uow.deadlines.incidents(item.claim.incident_id for item in firing)
        fired: list[_Firing] = []
        for item in firing:
            claim, decision = item.claim, item.decision
            incident = incidents.get(claim.incident_id)
            if incident is None or claim.position >= len(incident.deadlines):
                moves.append(LadderMove(claim, claim.alert_stage, None))
                continue
            try:
                calendar = calendars.for_deadline(claim.deadline)
                # The answer is late: the alert names the steps that overran (fair clocks).
                late = (
                    late_steps_json(incident, calendars, now)
                    if claim.deadline.kind in ANSWER_DEADLINE_KINDS
                    else []
                )
                messages = alert_messages(
                    incident, claim.position, calendar, decision, now, late_steps=late
                )
            except Exception:
                self._log_broken(claim)
                moves.append(LadderMove(claim, claim.alert_stage, now + RETRY_AFTER_ERROR))
                continue
            assert decision.fire is not None
            moves.append(LadderMove(claim, decision.reached, decision.next_at))
            fired.append(item)
            await writer.add(messages, incident.importance, decision.fire.stage)
            if _turns_overdue(claim, decision):
                await writer.redraw_card(incident)
        return fired

    def _decide(
        self, claim: DeadlineClaim, calendars: Calendars, now: datetime
    ) -> AlertDecision | None:
        """What the ladder says now (pure work); None: it cannot be worked out."""
        try:
            calendar = calendars.for_deadline(claim.deadline)
            return decide(claim.deadline, calendar, self.policy, claim.alert_stage, now)
        except Exception:
            # One broken deadline must not stop the others; look at it again later.
            self._log_broken(claim)
            return None

    def _set_up(
        self, claim: DeadlineClaim, calendars: Calendars, now: datetime
    ) -> LadderMove | None:
        """The move of a ladder with nothing to fire now; None when it has (or is broken:
        the tick logs it)."""
        try:
            calendar = calendars.for_deadline(claim.deadline)
            decision = set_up(claim.deadline, calendar, self.policy, claim.alert_stage, now)
        except Exception:
            return None
        if decision is None:
            return None
        return LadderMove(claim, decision.reached, decision.next_at)

    @staticmethod
    def _log_broken(claim: DeadlineClaim) -> None:
        log.exception(
            "deadline %s of incident %s: cannot work out its alerts", claim.id, claim.incident_id
        )


def _turns_overdue(claim: DeadlineClaim, decision: AlertDecision) -> bool:
    return (
        decision.fire is not None
        and decision.fire.stage >= AlertStage.OVERDUE
        and claim.alert_stage < AlertStage.OVERDUE
    )
