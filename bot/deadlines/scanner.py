"""The deadline scanner: claims the deadlines whose next alert is due and fires it once.

Deadlines live in the database (ARCHITECTURE.md): each row keeps the last stage of its
ladder fired (`alert_stage`) and when the next one is due (`next_alert_at`, indexed). A
tick claims the due rows, works out what to send (`workflow.alerts.decide`), and in the same
transaction advances the row and writes the outbox rows, so an alert is sent exactly once:

- PostgreSQL: rows are claimed with `SELECT … FOR UPDATE SKIP LOCKED`, so several bot
  processes can scan together, each taking different rows.
- SQLite: the transaction opens with a write (clearing stopped rows), which takes the
  database's write lock before anything is read; a second scanner waits for it and then
  reads the advanced rows.
- Both: the row is advanced with `WHERE id = ? AND alert_stage = <the stage read>`, and
  outbox rows are written only when that update hit the row.

Restarts lose nothing: everything is in rows, and the first tick after a restart fires what
fell due meanwhile, a missed ladder collapsed into its latest step (workflow/alerts.py).

New deadline rows arrive with `next_alert_at` NULL; the scanner sets up their ladder. It
finds them cheaply by id: every tick looks above the highest id seen when the last full
sweep began, and a full sweep (at start, then every `full_sweep_every`) catches rows whose
transaction was still open at that moment.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from bot.clock import Clock
from bot.services.addressing import resolve
from bot.services.calendars import CalendarConfig, load_calendars
from bot.services.cards import enqueue_card_refresh
from db import directory_queries as directory
from db.incident_store import incident_from_row
from db.models import DeadlineRow, DraftRow, IncidentRow, OutboxRow
from workflow.alerts import (
    AlertCalendar,
    AlertDecision,
    AlertPolicy,
    AlertStage,
    alert_messages,
    decide,
    quiet_until,
)
from workflow.calendars import Calendar, Calendars
from workflow.effects import Addressee, AddresseeKind, Message
from workflow.model import DeadlineState, Importance, Incident

log = logging.getLogger(__name__)

RUNNING = DeadlineState.RUNNING
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
class _Claim:
    id: int
    incident_id: int
    position: int
    alert_stage: int


# --- outbox rows with quiet hours -------------------------------------------------------------


async def reader_calendar(
    session: AsyncSession, calendars: Calendars, addressee: Addressee
) -> AlertCalendar:
    """The calendar the addressee reads on: an organisation's for its chats and people
    (a stand-in reads on the calendar of the person replaced), the centre's for roles."""
    calendar: Calendar = calendars.centre
    if addressee.kind is AddresseeKind.ORGANISATION and addressee.org_code is not None:
        calendar = calendars.for_org(addressee.org_code)
    elif addressee.kind is AddresseeKind.PERSON and addressee.person_id is not None:
        person = await directory.person_by_id(session, addressee.person_id)
        if person is not None and person.org_code is not None:
            calendar = calendars.for_org(person.org_code)  # the centre's own code falls back
    # Calendars holds WorkingCalendar objects, which know their next working moment.
    return cast(AlertCalendar, calendar)


async def enqueue_alerts(
    session: AsyncSession,
    messages: Sequence[Message],
    calendars: Calendars,
    importance: Importance,
    policy: AlertPolicy,
    now: datetime,
    default_locale: str,
) -> list[OutboxRow]:
    """One pending row per chat, held until the reader's next working moment (quiet hours);
    a chat reached through two addressees (a curator who is also a manager) gets one."""
    rows: list[OutboxRow] = []
    seen: set[tuple[str, int]] = set()
    for message in messages:
        calendar = await reader_calendar(session, calendars, message.to)
        not_before = quiet_until(calendar, now, importance, policy)
        for recipient in await resolve(session, message.to, now):
            if (message.key, recipient.chat_id) in seen:
                continue
            seen.add((message.key, recipient.chat_id))
            rows.append(
                OutboxRow(
                    chat_id=recipient.chat_id,
                    kind="message",
                    incident_id=message.incident_id,
                    key=message.key,
                    params=dict(message.params),
                    locale=recipient.locale or default_locale,
                    state="pending",
                    not_before=not_before,
                    attempts=0,
                    created_at=now,
                )
            )
    session.add_all(rows)
    await session.flush()
    return rows


# --- the scanner ------------------------------------------------------------------------------


def _incidents_query(ids: Iterable[int]) -> Any:
    return (
        select(IncidentRow)
        .options(
            selectinload(IncidentRow.assignments),
            selectinload(IncidentRow.drafts).selectinload(DraftRow.media),
            selectinload(IncidentRow.drafts).selectinload(DraftRow.reviews),
            selectinload(IncidentRow.deadlines),
        )
        .where(IncidentRow.id.in_(sorted(set(ids))))
    )


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
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._sessions = session_factory
        self._clock = clock
        self._calendar_config = calendar_config
        self.policy = policy or AlertPolicy()
        self._default_locale = default_locale
        self._batch_size = batch_size
        self._full_sweep_every = full_sweep_every
        self._max_batches = max_batches
        # New rows are looked for above this id; None: sweep them all.
        self._floor: int | None = None
        self._last_full_sweep: datetime | None = None

    async def tick(self) -> TickReport:
        """Fire everything due now, batch by batch, each batch one transaction."""
        now = self._clock.now()
        full = (
            self._last_full_sweep is None or now - self._last_full_sweep >= self._full_sweep_every
        )
        new_floor = await self._max_deadline_id() if full else None
        floor = None if full else self._floor
        report = TickReport()
        for _ in range(self._max_batches):
            batch, more = await self._batch(now, floor)
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

    async def next_due(self) -> datetime | None:
        """The earliest next alert of a running deadline, for an exact wake-up."""
        async with self._sessions() as session:
            return (
                await session.execute(
                    select(func.min(DeadlineRow.next_alert_at)).where(DeadlineRow.state == RUNNING)
                )
            ).scalar()

    async def _max_deadline_id(self) -> int:
        async with self._sessions() as session:
            return int((await session.execute(select(func.max(DeadlineRow.id)))).scalar() or 0)

    async def _batch(self, now: datetime, floor: int | None) -> tuple[TickReport, bool]:
        report = TickReport(batches=1)
        limit = self._batch_size
        async with self._sessions() as session, session.begin():
            # First statement a write: on SQLite it takes the write lock before we read.
            await self._clear_stopped(session, now)
            due = await self._claim(
                session,
                select(*_CLAIM_COLUMNS)
                .where(DeadlineRow.next_alert_at <= now, DeadlineRow.state == RUNNING)
                .order_by(DeadlineRow.next_alert_at, DeadlineRow.id),
                limit,
            )
            fresh_query = select(*_CLAIM_COLUMNS).where(
                DeadlineRow.next_alert_at.is_(None),
                DeadlineRow.alert_stage == AlertStage.NONE,
                DeadlineRow.state == RUNNING,
            )
            if floor is not None:
                fresh_query = fresh_query.where(DeadlineRow.id > floor)
            fresh = await self._claim(session, fresh_query.order_by(DeadlineRow.id), limit)
            claims = due + fresh
            if not claims:
                return report, False
            report.claimed = len(claims)
            calendars = await load_calendars(session, self._calendar_config)
            result = await session.execute(_incidents_query(c.incident_id for c in claims))
            incidents = {row.id: incident_from_row(row) for row in result.scalars()}
            refreshed: set[int] = set()
            for claim in claims:
                incident = incidents.get(claim.incident_id)
                if incident is None or claim.position >= len(incident.deadlines):
                    continue
                await self._process(session, claim, incident, calendars, now, report, refreshed)
        return report, len(due) == limit or len(fresh) == limit

    @staticmethod
    async def _clear_stopped(session: AsyncSession, now: datetime) -> None:
        """Met and cancelled deadlines whose alert time came leave the due range for good."""
        stale = (
            select(DeadlineRow.id)
            .where(DeadlineRow.next_alert_at <= now, DeadlineRow.state != RUNNING)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        await session.execute(
            update(DeadlineRow)
            .where(DeadlineRow.id.in_(stale))
            .values(next_alert_at=None)
            .execution_options(synchronize_session=False)
        )

    @staticmethod
    async def _claim(session: AsyncSession, query: Any, limit: int) -> list[_Claim]:
        rows = await session.execute(query.limit(limit).with_for_update(skip_locked=True))
        return [_Claim(*row) for row in rows]

    async def _process(
        self,
        session: AsyncSession,
        claim: _Claim,
        incident: Incident,
        calendars: Calendars,
        now: datetime,
        report: TickReport,
        refreshed: set[int],
    ) -> None:
        deadline = incident.deadlines[claim.position]
        if not deadline.running:  # cannot be under our lock; nothing to say about it anyway
            return
        calendar = calendars.for_deadline(deadline)
        try:
            decision = decide(deadline, calendar, self.policy, claim.alert_stage, now)
            messages = alert_messages(incident, claim.position, calendar, decision, now)
        except Exception:
            # One broken deadline must not stop the others; look at it again later.
            log.exception(
                "deadline %s of incident %s: cannot work out its alerts", claim.id, incident.id
            )
            await self._advance(session, claim, claim.alert_stage, now + RETRY_AFTER_ERROR)
            return
        if not await self._advance(session, claim, decision.reached, decision.next_at):
            return  # another scanner advanced it first: it fired, not us
        if decision.fire is None:
            return
        rows = await enqueue_alerts(
            session,
            messages,
            calendars,
            incident.importance,
            self.policy,
            now,
            self._default_locale,
        )
        report.fired += 1
        report.collapsed += len(decision.skipped)
        report.messages += len(rows)
        if _turns_overdue(claim, decision) and incident.id not in refreshed:
            # The card shows the overdue state: have it redrawn where it is shown.
            refreshed.add(incident.id)
            await enqueue_card_refresh(session, incident, now, self._default_locale)

    @staticmethod
    async def _advance(
        session: AsyncSession, claim: _Claim, reached: int, next_at: datetime | None
    ) -> bool:
        """Move the row on, only if it is still at the stage we read (no double firing)."""
        result = await session.execute(
            update(DeadlineRow)
            .where(
                DeadlineRow.id == claim.id,
                DeadlineRow.alert_stage == claim.alert_stage,
                DeadlineRow.state == RUNNING,
            )
            .values(alert_stage=int(reached), next_alert_at=next_at)
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult[Any], result).rowcount == 1


_CLAIM_COLUMNS = (
    DeadlineRow.id,
    DeadlineRow.incident_id,
    DeadlineRow.position,
    DeadlineRow.alert_stage,
)


def _turns_overdue(claim: _Claim, decision: AlertDecision) -> bool:
    return (
        decision.fire is not None
        and decision.fire.stage >= AlertStage.OVERDUE
        and claim.alert_stage < AlertStage.OVERDUE
    )
