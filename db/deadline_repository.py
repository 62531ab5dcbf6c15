"""Deadline rows: the only SQL about them (the scanner's claims and moves, the digests).

Claims and moves keep each alert to one sending (bot/deadlines/scanner.py explains the
protocol): due rows are claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL, and on SQLite a
batch opens with a write (`clear_stopped`), which takes the database's write lock before
anything is read. Rows are moved on in one statement guarded per row by the stage read; a
row moved elsewhere meanwhile raises `LostRace`, and the caller's unit of work rolls back.

SQLite plans without statistics, so the queries steer it onto the right index
(`_unindexed`): the due rows come off the `next_alert_at` index, new rows off the primary
key (bench/bench_scanner.py shows the plans).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, case, false, func, literal, or_, select, type_coerce
from sqlalchemy import update as update_statement
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

# The incident store's own mappings: a claimed row reads as the same Deadline, a firing
# incident loads as the same Incident, as anywhere else.
from db.incident_rows import deadline_from_row, load_incidents
from db.models import DeadlineRow, IncidentRow, OutboxRow, Person
from db.types import UTCDateTime
from workflow.effects import JSONDict
from workflow.model import (
    ANSWER_DEADLINE_KINDS,
    OPEN_STATUSES,
    Deadline,
    DeadlineState,
    Incident,
    Party,
)

RUNNING = DeadlineState.RUNNING
NO_ALERT_YET = 0  # `alert_stage` of a ladder that has fired nothing (AlertStage.NONE)
# PostgreSQL advisory locks take two int4 keys: this class, and the chat folded into int4.
_DIGEST_LOCK_CLASS = 0x44474354


class LostRace(Exception):
    """A claimed deadline row changed under us: the batch is rolled back and retried."""


@dataclass(frozen=True, slots=True)
class DeadlineClaim:
    """A deadline row taken for this transaction, with the clock it keeps."""

    id: int
    incident_id: int
    position: int
    alert_stage: int
    deadline: Deadline

    @property
    def running(self) -> bool:
        return self.deadline.running


@dataclass(frozen=True, slots=True)
class LadderMove:
    """Where a claimed row goes: the stage reached, its next alert (None: out of the due
    range for good)."""

    claim: DeadlineClaim
    reached: int
    next_at: datetime | None


@dataclass(frozen=True, slots=True)
class DigestNumbers:
    open: int  # incidents not answered or closed
    due_today: int  # answer deadlines still ahead today (reader's day)
    overdue_answers: int  # incidents whose answer deadline has passed
    overdue_by_org: tuple[tuple[str | None, int], ...]  # incidents late per organisation
    met: int  # deadlines due in the period that were met in time
    missed: int  # deadlines due in the period met late or still running
    detected: int  # incidents detected in the period

    def params(self) -> JSONDict:
        return {
            "open": self.open,
            "due_today": self.due_today,
            "overdue_answers": self.overdue_answers,
            "overdue_by_org": [
                {"org_code": code, "overdue": count} for code, count in self.overdue_by_org
            ],
            "met": self.met,
            "missed": self.missed,
            "detected": self.detected,
        }


def _unindexed(column: Any, sqlite: bool) -> Any:
    """On SQLite, `+column` keeps the planner off that column's index (a documented idiom).

    SQLite plans without statistics and takes an equality on `state` for selective, while
    most rows of an open workload are running: it would scan them all instead of the range
    the query is really about. PostgreSQL plans with statistics and gets the plain column.
    """
    if not sqlite:
        return column
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def _int4(value: int) -> int:
    return (value + 2**31) % 2**32 - 2**31


class DeadlineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @property
    def _sqlite(self) -> bool:
        return self._session.get_bind().dialect.name == "sqlite"

    # --- the scanner's claims ---------------------------------------------------------------

    async def clear_stopped(self, now: datetime) -> None:
        """Met and cancelled deadlines whose alert time came leave the due range for good.

        A write, so it goes first in a batch: on SQLite it takes the write lock before we read.
        """
        stale = (
            select(DeadlineRow.id)
            .where(DeadlineRow.next_alert_at <= now, DeadlineRow.state != RUNNING)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        await self._session.execute(
            update_statement(DeadlineRow)
            .where(DeadlineRow.id.in_(stale))
            .values(next_alert_at=None)
            .execution_options(synchronize_session=False)
        )

    async def claim_due(self, now: datetime, limit: int) -> list[DeadlineClaim]:
        """Rows whose next alert has come, earliest first. Only the next-alert index fits
        this query; a row met meanwhile is among them and is told apart by the caller."""
        query = (
            select(DeadlineRow)
            .where(DeadlineRow.next_alert_at <= now)
            .order_by(DeadlineRow.next_alert_at, DeadlineRow.id)
        )
        return await self._claim(query, limit)

    async def claim_fresh(self, floor: int | None, limit: int) -> list[DeadlineClaim]:
        """Running deadlines whose ladder is not set up yet: above the id floor (a primary-key
        range), or all of them in a full sweep (over the running rows of the state index)."""
        sqlite = self._sqlite
        query = select(DeadlineRow)
        if floor is None:
            query = query.where(
                DeadlineRow.state == RUNNING,
                _unindexed(DeadlineRow.next_alert_at, sqlite).is_(None),
                DeadlineRow.alert_stage == NO_ALERT_YET,
            )
        else:
            query = query.where(
                DeadlineRow.id > floor,
                _unindexed(DeadlineRow.state, sqlite) == RUNNING,
                _unindexed(DeadlineRow.next_alert_at, sqlite).is_(None),
                DeadlineRow.alert_stage == NO_ALERT_YET,
            ).order_by(DeadlineRow.id)
        return await self._claim(query, limit)

    async def _claim(self, query: Any, limit: int) -> list[DeadlineClaim]:
        result = await self._session.execute(query.limit(limit).with_for_update(skip_locked=True))
        claims = []
        for row in result.scalars():
            claims.append(
                DeadlineClaim(
                    row.id, row.incident_id, row.position, row.alert_stage, deadline_from_row(row)
                )
            )
            # Moved by `advance` (a statement), never through the ORM: keep no stale copy.
            self._session.expunge(row)
        return claims

    async def advance(self, moves: Sequence[LadderMove]) -> None:
        """Move the rows on in one statement, each only if still at the stage we read.

        Under our locks nobody else can have moved one; if somebody did anyway, `LostRace`
        is raised so that the whole batch (its outbox rows with it) is rolled back rather
        than risk sending an alert twice.
        """
        if not moves:
            return
        ids = [move.claim.id for move in moves]
        guards = [
            and_(
                DeadlineRow.id == move.claim.id,
                DeadlineRow.alert_stage == move.claim.alert_stage,
                # A stopped row only leaves the due range; a running one must still run.
                *([DeadlineRow.state == RUNNING] if move.claim.running else []),
            )
            for move in moves
        ]
        result = await self._session.execute(
            update_statement(DeadlineRow)
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

    async def max_id(self) -> int:
        return int((await self._session.execute(select(func.max(DeadlineRow.id)))).scalar() or 0)

    async def next_alert(self) -> datetime | None:
        """The earliest next alert of a running deadline (one step down the index)."""
        return (
            await self._session.execute(
                select(DeadlineRow.next_alert_at)
                .where(
                    DeadlineRow.next_alert_at.is_not(None),
                    _unindexed(DeadlineRow.state, self._sqlite) == RUNNING,
                )
                .order_by(DeadlineRow.next_alert_at)
                .limit(1)
            )
        ).scalar()

    async def incidents(self, ids: Iterable[int]) -> dict[int, Incident]:
        """The incidents whose alerts fire, in one load."""
        loaded = await load_incidents(self._session, list(ids))
        return {incident_id: item.incident for incident_id, item in loaded.items()}

    # --- the digests ------------------------------------------------------------------------

    async def digest_numbers(
        self,
        now: datetime,
        day_end: datetime,
        period_start: datetime,
        period_end: datetime,
        centre_code: str | None,
    ) -> DigestNumbers:
        """The digest's figures: open and late now; met and missed among what fell due in the
        period. The centre's own late clocks (routing, reviews) count under `centre_code`."""
        session = self._session
        running = DeadlineRow.state == RUNNING
        answer = DeadlineRow.kind.in_(list(ANSWER_DEADLINE_KINDS))
        open_count = await session.scalar(
            select(func.count())
            .select_from(IncidentRow)
            .where(IncidentRow.status.in_(OPEN_STATUSES))
        )
        due_today = await session.scalar(
            select(func.count()).where(
                running, answer, DeadlineRow.due_at >= now, DeadlineRow.due_at < day_end
            )
        )
        overdue_answers = await session.scalar(
            select(func.count(func.distinct(DeadlineRow.incident_id))).where(
                running, answer, DeadlineRow.due_at < now
            )
        )
        who = case(
            (DeadlineRow.party == Party.CENTRE, literal(centre_code)), else_=DeadlineRow.org_code
        )
        by_org = await session.execute(
            select(who, func.count(func.distinct(DeadlineRow.incident_id)))
            .where(running, DeadlineRow.due_at < now, DeadlineRow.party != Party.EVERYONE)
            .group_by(who)
        )
        overdue_by_org = tuple(
            sorted(
                ((code, int(count)) for code, count in by_org),
                key=lambda item: (-item[1], item[0] or ""),
            )
        )
        on_time = and_(
            DeadlineRow.state == DeadlineState.MET, DeadlineRow.ended_at <= DeadlineRow.due_at
        )
        ended = (
            await session.execute(
                select(func.count(), func.sum(case((on_time, 1), else_=0))).where(
                    DeadlineRow.state != DeadlineState.CANCELLED,
                    DeadlineRow.due_at >= period_start,
                    DeadlineRow.due_at < period_end,
                )
            )
        ).one()
        detected = await session.scalar(
            select(func.count())
            .select_from(IncidentRow)
            .where(IncidentRow.detected_at >= period_start, IncidentRow.detected_at < period_end)
        )
        total, met = int(ended[0] or 0), int(ended[1] or 0)
        return DigestNumbers(
            open=int(open_count or 0),
            due_today=int(due_today or 0),
            overdue_answers=int(overdue_answers or 0),
            overdue_by_org=overdue_by_org,
            met=met,
            missed=total - met,
            detected=int(detected or 0),
        )

    async def lock_digest_chats(self, chat_ids: Iterable[int]) -> None:
        """Serialise two senders deciding whether these chats have a digest yet; held to
        the end of the transaction."""
        if self._sqlite:
            # A write that changes nothing still takes SQLite's write lock, before we read.
            await self._session.execute(
                update_statement(Person)
                .where(false())
                .values(active=Person.active)
                .execution_options(synchronize_session=False)
            )
            return
        for key in sorted({_int4(chat_id) for chat_id in chat_ids}):  # one order: no deadlock
            await self._session.execute(select(func.pg_advisory_xact_lock(_DIGEST_LOCK_CLASS, key)))

    async def digest_sent(
        self, chat_ids: Iterable[int], key: str, digest_key: str, since: datetime
    ) -> set[int]:
        """The chats among these that have this digest already (an outbox row since `since`
        whose params carry the digest's key): the outbox is the record of what went out."""
        wanted = list(set(chat_ids))
        if not wanted:
            return set()
        rows = await self._session.execute(
            select(OutboxRow.chat_id, OutboxRow.params).where(
                OutboxRow.chat_id.in_(wanted),
                OutboxRow.key == key,
                OutboxRow.created_at >= since,
            )
        )
        return {
            chat_id for chat_id, params in rows if (params or {}).get("digest_key") == digest_key
        }
