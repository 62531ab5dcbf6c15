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
- Both: the claimed rows are advanced in one statement guarded per row by the stage read
  (`WHERE id = ? AND alert_stage = ?`); should any of them have moved elsewhere, the whole
  batch (its outbox rows with it) is rolled back and the next tick starts afresh.

SQLite plans without statistics, so the queries steer it onto the right index (see
`_unindexed`): the due rows come off the `next_alert_at` index, new rows off the primary
key. A tick with a handful due over 100,000 open incidents takes about 15 ms
(bench/bench_scanner.py).

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

from sqlalchemy import CursorResult, and_, case, func, insert, or_, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from bot.clock import Clock
from bot.services.addressing import Recipient, resolve
from bot.services.calendars import CalendarConfig, load_calendars
from bot.services.outbox_writer import OutboxWriter
from db import directory_queries as directory
from db.incident_store import incident_from_row
from db.models import DeadlineRow, DraftRow, IncidentRow, OutboxRow
from db.types import UTCDateTime
from db.uow import UnitOfWork
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
    state: DeadlineState


# --- outbox rows with quiet hours -------------------------------------------------------------


class AlertWriter:
    """Outbox rows for the alerts of one batch, written together at the end.

    Each row is held until its reader's next working moment (quiet hours): the calendar is
    an organisation's for its chats and people (a stand-in reads on the calendar of the
    person replaced), the centre's for roles (curators, managers). A chat reached through two
    addressees of one alert (a curator who is also a manager) gets one row. Addressees are
    resolved once per batch: a batch's alerts mostly go to the same few readers.
    """

    def __init__(
        self,
        session: AsyncSession,
        calendars: Calendars,
        policy: AlertPolicy,
        now: datetime,
        default_locale: str,
    ) -> None:
        self._session = session
        self._calendars = calendars
        self._policy = policy
        self._now = now
        self._default_locale = default_locale
        self._recipients: dict[Addressee, list[Recipient]] = {}
        self._reader_calendars: dict[Addressee, AlertCalendar] = {}
        self._rows: list[dict[str, Any]] = []

    async def reader_calendar(self, addressee: Addressee) -> AlertCalendar:
        found = self._reader_calendars.get(addressee)
        if found is not None:
            return found
        calendar: Calendar = self._calendars.centre
        if addressee.kind is AddresseeKind.ORGANISATION and addressee.org_code is not None:
            calendar = self._calendars.for_org(addressee.org_code)
        elif addressee.kind is AddresseeKind.PERSON and addressee.person_id is not None:
            person = await directory.person_by_id(self._session, addressee.person_id)
            if person is not None and person.org_code is not None:
                calendar = self._calendars.for_org(person.org_code)  # the centre's falls back
        # Calendars holds WorkingCalendar objects, which know their next working moment.
        found = self._reader_calendars[addressee] = cast(AlertCalendar, calendar)
        return found

    async def add(self, messages: Sequence[Message], importance: Importance) -> int:
        """Queue one alert's messages; returns the number of rows it makes."""
        seen: set[tuple[str, int]] = set()
        before = len(self._rows)
        for message in messages:
            not_before = quiet_until(
                await self.reader_calendar(message.to), self._now, importance, self._policy
            )
            recipients = self._recipients.get(message.to)
            if recipients is None:
                recipients = await resolve(
                    UnitOfWork.joining(self._session).directory, message.to, self._now
                )
                self._recipients[message.to] = recipients
            for recipient in recipients:
                if (message.key, recipient.chat_id) in seen:
                    continue
                seen.add((message.key, recipient.chat_id))
                self._rows.append(
                    {
                        "chat_id": recipient.chat_id,
                        "kind": "message",
                        "incident_id": message.incident_id,
                        "key": message.key,
                        "params": dict(message.params),
                        "locale": recipient.locale or self._default_locale,
                        "state": "pending",
                        "not_before": not_before,
                        "attempts": 0,
                        "last_error": None,
                        "created_at": self._now,
                        "sent_at": None,
                        "telegram_message_id": None,
                    }
                )
        return len(self._rows) - before

    async def write(self) -> None:
        if self._rows:
            # One executemany for the batch (the ORM would insert row by row here).
            await self._session.execute(insert(OutboxRow.__table__), self._rows)
            self._rows = []


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
        if not 1 <= batch_size <= 2000:
            # Each row of a batch takes a few bind parameters in one statement.
            raise ValueError("batch_size must be between 1 and 2000")
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

    async def next_due(self) -> datetime | None:
        """The earliest next alert of a running deadline, for an exact wake-up."""
        async with self._sessions() as session:
            sqlite = _is_sqlite(session)
            return (
                await session.execute(
                    select(DeadlineRow.next_alert_at)
                    .where(
                        DeadlineRow.next_alert_at.is_not(None),
                        _unindexed(DeadlineRow.state, sqlite) == RUNNING,
                    )
                    .order_by(DeadlineRow.next_alert_at)
                    .limit(1)
                )
            ).scalar()

    async def _max_deadline_id(self) -> int:
        async with self._sessions() as session:
            return int((await session.execute(select(func.max(DeadlineRow.id)))).scalar() or 0)

    async def _batch(self, now: datetime, floor: int | None) -> tuple[TickReport, bool]:
        report = TickReport(batches=1)
        limit = self._batch_size
        async with self._sessions() as session, session.begin():
            sqlite = _is_sqlite(session)
            # First statement a write: on SQLite it takes the write lock before we read.
            await self._clear_stopped(session, now)
            # Only the next-alert index fits this one; a row met meanwhile is told apart below.
            due = await self._claim(
                session,
                select(*_CLAIM_COLUMNS)
                .where(DeadlineRow.next_alert_at <= now)
                .order_by(DeadlineRow.next_alert_at, DeadlineRow.id),
                limit,
            )
            fresh = await self._claim(session, _fresh_query(floor, sqlite), limit)
            claims = due + fresh
            if not claims:
                return report, False
            report.claimed = len(claims)
            calendars = await load_calendars(session, self._calendar_config)
            running = [c for c in claims if c.state == RUNNING]
            result = await session.execute(_incidents_query(c.incident_id for c in running))
            incidents = {row.id: incident_from_row(row) for row in result.scalars()}
            moves: list[_Move] = []
            firing: list[tuple[_Claim, Incident, AlertDecision, tuple[Message, ...]]] = []
            for claim in claims:
                incident = incidents.get(claim.incident_id)
                if (
                    claim.state != RUNNING
                    or incident is None
                    or claim.position >= len(incident.deadlines)
                ):
                    moves.append(_Move(claim, claim.alert_stage, None))  # out of the due range
                    continue
                move, decision, messages = self._decide(claim, incident, calendars, now)
                moves.append(move)
                if decision is not None and decision.fire is not None:
                    firing.append((claim, incident, decision, messages))
            await self._advance(session, moves)
            writer = AlertWriter(session, calendars, self.policy, now, self._default_locale)
            refreshed: set[int] = set()
            for claim, incident, decision, messages in firing:
                report.fired += 1
                report.collapsed += len(decision.skipped)
                report.messages += await writer.add(messages, incident.importance)
                if _turns_overdue(claim, decision) and incident.id not in refreshed:
                    # The card shows the overdue state: have it redrawn where it is shown.
                    refreshed.add(incident.id)
                    await OutboxWriter(self._default_locale).cards(
                        UnitOfWork.joining(session), incident, now
                    )
            await writer.write()
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

    def _decide(
        self, claim: _Claim, incident: Incident, calendars: Calendars, now: datetime
    ) -> tuple[_Move, AlertDecision | None, tuple[Message, ...]]:
        """What the deadline's row becomes, and what to send (pure work, no I/O)."""
        deadline = incident.deadlines[claim.position]
        calendar = calendars.for_deadline(deadline)
        try:
            decision = decide(deadline, calendar, self.policy, claim.alert_stage, now)
            messages = alert_messages(incident, claim.position, calendar, decision, now)
        except Exception:
            # One broken deadline must not stop the others; look at it again later.
            log.exception(
                "deadline %s of incident %s: cannot work out its alerts", claim.id, incident.id
            )
            return _Move(claim, claim.alert_stage, now + RETRY_AFTER_ERROR), None, ()
        return _Move(claim, decision.reached, decision.next_at), decision, messages

    @staticmethod
    async def _advance(session: AsyncSession, moves: Sequence[_Move]) -> None:
        """Move the rows on in one statement, each only if still at the stage we read.

        Under our locks nobody else can have moved one; if somebody did anyway, the whole
        batch is rolled back (its alerts with it) rather than risk sending one twice.
        """
        if not moves:
            return
        ids = [move.claim.id for move in moves]
        guards = [
            and_(
                DeadlineRow.id == move.claim.id,
                DeadlineRow.alert_stage == move.claim.alert_stage,
                # A stopped row only leaves the due range; a running one must still run.
                *([DeadlineRow.state == RUNNING] if move.claim.state == RUNNING else []),
            )
            for move in moves
        ]
        result = await session.execute(
            update(DeadlineRow)
            .where(DeadlineRow.id.in_(ids), or_(*guards))
            .values(
                # The ELSE branches never apply (the WHERE names the ids); they give the
                # CASE its column's type, which PostgreSQL cannot guess from NULLs alone.
                alert_stage=case(
                    {move.claim.id: int(move.reached) for move in moves},
                    value=DeadlineRow.id,
                    else_=DeadlineRow.alert_stage,
                ),
                next_alert_at=case(
                    {move.claim.id: type_coerce(move.next_at, UTCDateTime()) for move in moves},
                    value=DeadlineRow.id,
                    else_=DeadlineRow.next_alert_at,
                ),
            )
            .execution_options(synchronize_session=False)
        )
        moved = cast(CursorResult[Any], result).rowcount
        if moved != len(moves):
            raise LostRace(f"{len(moves) - moved} of {len(moves)} deadline rows moved elsewhere")


class LostRace(Exception):
    """A claimed deadline row changed under us: the batch is rolled back and retried."""


@dataclass(frozen=True, slots=True)
class _Move:
    claim: _Claim
    reached: int
    next_at: datetime | None


_CLAIM_COLUMNS = (
    DeadlineRow.id,
    DeadlineRow.incident_id,
    DeadlineRow.position,
    DeadlineRow.alert_stage,
    DeadlineRow.state,
)


def _is_sqlite(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _unindexed(column: Any, sqlite: bool) -> Any:
    """On SQLite, `+column` keeps the planner off that column's index (a documented idiom).

    SQLite plans without statistics and takes an equality on `state` for selective, while
    most rows of an open workload are running: it would scan them all instead of the range
    the query is really about. PostgreSQL plans with statistics and gets the plain column.
    """
    if not sqlite:
        return column
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _fresh_query(floor: int | None, sqlite: bool) -> Any:
    """Running deadlines whose ladder is not set up yet: above the id floor (a primary-key
    range), or all of them in a full sweep (over the running rows of the state index)."""
    query = select(*_CLAIM_COLUMNS)
    if floor is None:
        return query.where(
            DeadlineRow.state == RUNNING,
            _unindexed(DeadlineRow.next_alert_at, sqlite).is_(None),
            DeadlineRow.alert_stage == AlertStage.NONE,
        )
    return query.where(
        DeadlineRow.id > floor,
        _unindexed(DeadlineRow.state, sqlite) == RUNNING,
        _unindexed(DeadlineRow.next_alert_at, sqlite).is_(None),
        DeadlineRow.alert_stage == AlertStage.NONE,
    ).order_by(DeadlineRow.id)


def _turns_overdue(claim: _Claim, decision: AlertDecision) -> bool:
    return (
        decision.fire is not None
        and decision.fire.stage >= AlertStage.OVERDUE
        and claim.alert_stage < AlertStage.OVERDUE
    )
