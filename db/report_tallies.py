"""What the figures of a period need from the database, as plain tuples (issue 13).

One row per incident detected in the period and organisation that kept it; SQL chooses the
answer clock in force (the last one not cancelled, else the last: a change of importance
replaces it) and the п.18 final clock the same way, and judges each against the moment of
the report (`workflow.report_sums` flags), so that no object is built per incident. Beside
them the returned drafts (п.14) and the declines (п.11), which are few.

A closed incident's row is read from its stored facts (`report_facts`, stored by
`db/report_store.py` with the columns judged here) while they are at its version; only
the others are judged at report time.

The incidents of the period come through `ix_incidents_detected_at` (one organisation's
through `ix_assignments_org_incident`); clocks, drafts and assignments through their
unique (incident_id, …) indexes.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    Text,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    null,
    select,
    type_coerce,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.models import AssignmentRow, DeadlineRow, DraftRow, IncidentRow, ReviewRow
from db.models_reports import ReportFact
from workflow.model import AssignmentStatus, DeadlineKind, DeadlineState, DraftKind, DraftStatus
from workflow.report_figures import Decline
from workflow.report_sums import IN_TIME, LATE_MET, LATE_RUNNING, NEITHER, PeriodRows, ReturnRow

# Incidents to judge at report time found by their ids up to this many (a statement's
# parameters: SQLite allows 32,766), else by the period.
_FEW = 2000
# Above any deadline's position·16 + flag: a clock not cancelled outranks every cancelled one.
_LIVE = 1 << 40


def _epoch_us(column: Any, dialect: str) -> ColumnElement[int]:
    """A moment as whole microseconds since the epoch, computed by the database: the figures
    count with them, and reading 100,000s of datetimes costs more than the counting.
    `dialect` "sqlite+unixepoch": SQLite ≥ 3.38, whose unixepoch() gives the seconds as an
    integer (strftime('%s') formats text that is then parsed back: slower)."""
    if dialect.startswith("sqlite"):  # UTC text 'YYYY-MM-DD HH:MM:SS.ffffff' (db/types.py)
        if dialect == "sqlite+unixepoch":
            seconds = type_coerce(func.unixepoch(column), BigInteger)
        else:
            seconds = cast(func.strftime("%s", column), BigInteger)
        return seconds * 1_000_000 + cast(func.substr(column, 21, 6), BigInteger)
    return cast(extract("epoch", column) * 1_000_000, BigInteger)  # numeric: exact


def _raw(column: Any) -> ColumnElement[Any]:
    """A value read as stored: no conversion per row (SQLite's moments are UTC text)."""
    return type_coerce(column, String)


def _utc(value: Any) -> Any:
    if isinstance(value, str):  # SQLite keeps UTC wall-clock text (db/types.py)
        return datetime.fromisoformat(value + "+00:00")  # faster than .replace(tzinfo=)
    return value


def _flag(now: datetime) -> Any:
    """A deadline judged at `now` (the flags of `workflow.report_sums`)."""
    met, running = DeadlineState.MET, DeadlineState.RUNNING
    return case(
        (
            and_(
                DeadlineRow.state == met,
                DeadlineRow.ended_at.is_not(None),
                DeadlineRow.ended_at <= DeadlineRow.due_at,
            ),
            IN_TIME,
        ),
        (and_(DeadlineRow.state == met, DeadlineRow.ended_at > DeadlineRow.due_at), LATE_MET),
        (and_(DeadlineRow.state == running, DeadlineRow.due_at < now), LATE_RUNNING),
        else_=NEITHER,
    )


def _clock_flag(kind: DeadlineKind, now: datetime) -> Any:
    """The incident's clock of this kind in force, judged at `now` (None: no such clock):
    the last one not cancelled, else the last. As the greatest of live·2⁴⁰ + position·16 +
    flag, the flag back as the remainder: an aggregate, where ORDER BY … LIMIT 1 sorted
    each incident's clocks in a temporary B-tree."""
    live = case((DeadlineRow.state != DeadlineState.CANCELLED, _LIVE), else_=0)
    return (
        select(func.max(live + DeadlineRow.position * 16 + _flag(now)) % 16)
        .where(DeadlineRow.incident_id == IncidentRow.id, DeadlineRow.kind == kind)
        .scalar_subquery()
    )


def _beside(now: datetime, dialect: str, for_rating: bool) -> list[Any]:
    """Interim, answer flag, final flag, detected, first answer: each incident's looked up
    beside it (SQLite walks the unique (incident_id, …) indexes fastest this way; so does
    PostgreSQL for a few incidents)."""
    first_answer = (  # the moment converted inside: once per draft, not the subquery twice
        select(func.min(_epoch_us(DraftRow.published_at, dialect)))
        .where(_published(DraftKind.ANSWER, DraftKind.INTERIM))
        .scalar_subquery()
    )
    return [
        literal(0)
        if for_rating
        else case((exists().where(_published(DraftKind.INTERIM)), 1), else_=0),
        _clock_flag(DeadlineKind.ANSWER, now),
        null() if for_rating else _clock_flag(DeadlineKind.FINAL_ANSWER, now),
        _epoch_us(IncidentRow.detected_at, dialect),
        first_answer,
    ]


def _joined(ids: Any, now: datetime, dialect: str, for_rating: bool) -> tuple[list[Any], Any]:
    """The same columns from the period's drafts and clocks grouped per incident and joined
    (PostgreSQL runs a subplan per row slowly, and hashes these fast). The clock in force is
    the one of highest position among those not cancelled, else among all: position·16 +
    flag, its greatest, then the flag back as the remainder."""
    interim = case((DraftRow.kind == DraftKind.INTERIM, 1), else_=0)
    drafts = (
        select(
            DraftRow.incident_id,
            func.min(_epoch_us(DraftRow.published_at, dialect)).label("first"),
            func.max(interim).label("interim"),
        )
        .where(
            DraftRow.incident_id.in_(ids),
            DraftRow.kind.in_((DraftKind.ANSWER, DraftKind.INTERIM)),
            DraftRow.status == DraftStatus.PUBLISHED,
        )
        .group_by(DraftRow.incident_id)
        .subquery()
    )
    ranked = DeadlineRow.position * 16 + _flag(now)
    live = DeadlineRow.state != DeadlineState.CANCELLED
    answer, final = (
        DeadlineRow.kind == DeadlineKind.ANSWER,
        DeadlineRow.kind == DeadlineKind.FINAL_ANSWER,
    )
    clocks = (
        select(
            DeadlineRow.incident_id,
            func.max(case((and_(answer, live), ranked))).label("answer_live"),
            func.max(case((answer, ranked))).label("answer_any"),
            func.max(case((and_(final, live), ranked))).label("final_live"),
            func.max(case((final, ranked))).label("final_any"),
        )
        .where(
            DeadlineRow.incident_id.in_(ids),
            DeadlineRow.kind.in_((DeadlineKind.ANSWER, DeadlineKind.FINAL_ANSWER)),
        )
        .group_by(DeadlineRow.incident_id)
        .subquery()
    )
    c = clocks.c
    columns = [
        literal(0) if for_rating else func.coalesce(drafts.c.interim, 0),
        func.coalesce(c.answer_live, c.answer_any) % 16,
        null() if for_rating else func.coalesce(c.final_live, c.final_any) % 16,
        _epoch_us(IncidentRow.detected_at, dialect),
        drafts.c.first,
    ]
    joined = IncidentRow.__table__.outerjoin(
        drafts, drafts.c.incident_id == IncidentRow.id
    ).outerjoin(clocks, clocks.c.incident_id == IncidentRow.id)
    return columns, joined


def _published(*kinds: DraftKind) -> Any:
    return and_(
        DraftRow.incident_id == IncidentRow.id,
        DraftRow.kind.in_(kinds),
        DraftRow.status == DraftStatus.PUBLISHED,
    )


def _kept_by(org_code: Any) -> Any:
    """The organisation has the incident and did not decline it."""
    return and_(
        AssignmentRow.org_code == org_code, AssignmentRow.status != AssignmentStatus.DECLINED
    )


async def period_rows(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    now: datetime,
    org_code: str | None,
    *,
    for_rating: bool = False,
) -> PeriodRows:
    """The incidents detected in [start, end) (with an assignment to `org_code`, if given):
    their rows for `workflow.report_sums.period_sums`. `for_rating`: only what the rating
    reads (received, in time / late, time to the answer, returns), for the previous period:
    no status, interim or final clock (read as blanks), no declines."""
    in_period = and_(IncidentRow.detected_at >= start, IncidentRow.detected_at < end)
    if org_code is not None:
        in_period = and_(
            in_period,
            IncidentRow.id.in_(
                select(AssignmentRow.incident_id).where(AssignmentRow.org_code == org_code)
            ),
        )
    connection = await session.connection()  # Core: plain rows, no ORM work per row
    dialect = sql_dialect(connection)
    kept = and_(
        AssignmentRow.incident_id == IncidentRow.id,
        AssignmentRow.status != AssignmentStatus.DECLINED,
    )
    # Each incident of the period with its facts if they are stored at its version (the
    # closed ones: one narrow table), fetched at once (row by row through the async
    # adapter costs more than the counting).
    read = _plain(
        await connection.execute(
            select(
                IncidentRow.id,
                ReportFact.org_code,
                literal("", String) if for_rating else ReportFact.status,
                literal(0) if for_rating else ReportFact.interim,
                ReportFact.answer,
                null() if for_rating else ReportFact.final,
                ReportFact.detected_us,
                ReportFact.first_us,
                ReportFact.returns,  # read below, not by the sums
            )
            .select_from(IncidentRow)
            .outerjoin(ReportFact, stored_now())
            .where(in_period)
        )
    )
    rows = PeriodRows(incidents=[row for row in read if row[6] is not None])
    # the others (open, changed since, not stored yet), judged now: found by their ids if
    # few (as usual), else again by the period
    judge = [row[0] for row in read if row[6] is None]
    # The reasons as JSON text (PostgreSQL too: asyncpg would decode each row's), decoded
    # once per distinct text (few of them).
    decoded: dict[str, list[ReturnRow]] = {}
    for text, count in Counter(row[8] for row in read if row[8] is not None).items():
        rows.returns += _decoded(decoded, text) * count
    if judge:
        # the ids themselves, not a subquery, where PostgreSQL groups drafts and clocks:
        # it misjudges how many such a subquery gives and loops over every draft
        few = len(judge) <= _FEW
        live = and_(in_period, IncidentRow.id.in_(judge) if few else ~exists().where(stored_now()))
        judged = judge if few else select(IncidentRow.id).where(live)
        columns, joined = judged_columns(judged, now, dialect, for_rating)
        incidents = await connection.execute(
            select(
                IncidentRow.id,
                AssignmentRow.org_code,
                literal("", String) if for_rating else _raw(IncidentRow.status),
                *columns,
            )
            .select_from(joined)
            .outerjoin(AssignmentRow, kept)
            .where(live)
        )
        rows.incidents += _plain(incidents)
        for (text,) in _plain(
            await connection.execute(
                select(cast(returned_draft(dialect), Text))
                .join(ReviewRow, ReviewRow.draft_id == DraftRow.id)
                .where(DraftRow.incident_id.in_(judged), ReviewRow.approved.is_(False))
            )
        ):
            rows.returns += _decoded(decoded, f"[{text}]")
    ids = select(IncidentRow.id).where(in_period)
    if for_rating:
        return rows
    reroute = (
        select(_raw(DeadlineRow.started_at))
        .where(
            DeadlineRow.incident_id == AssignmentRow.incident_id,
            DeadlineRow.kind == DeadlineKind.REROUTE,
            DeadlineRow.org_code == AssignmentRow.org_code,
        )
        .order_by(DeadlineRow.position)
        .limit(1)
        .scalar_subquery()
    )
    for org, received_at, declined_at in (
        await connection.execute(
            select(AssignmentRow.org_code, _raw(AssignmentRow.received_at), reroute)
            .where(
                AssignmentRow.incident_id.in_(ids),
                AssignmentRow.status == AssignmentStatus.DECLINED,
            )
            .order_by(AssignmentRow.id)
        )
    ).all():
        if declined_at is not None:  # "not ours" said (п.11): the centre's reroute clock
            rows.declines.append(Decline(org, _utc(received_at), _utc(declined_at)))
    return rows


def returned_draft(dialect: str) -> Any:
    """A returned draft (a review not approved, joined to its draft) as a JSON array: its
    organisation, 1 if that one kept the incident, the п.14 reasons."""
    kept = (
        exists()
        .where(AssignmentRow.incident_id == DraftRow.incident_id, _kept_by(DraftRow.org_code))
        .correlate(DraftRow)
    )
    kept_it = case((kept, 1), else_=0)
    if dialect.startswith("sqlite"):  # the reasons are JSON text there
        return func.json_array(DraftRow.org_code, kept_it, func.json(ReviewRow.reasons))
    return func.json_build_array(DraftRow.org_code, kept_it, ReviewRow.reasons)


def _decoded(known: dict[str, list[ReturnRow]], text: str) -> list[ReturnRow]:
    """Returned drafts from JSON text [[org, kept, [reasons]], …], each text decoded once."""
    value = known.get(text)
    if value is None:
        value = known[text] = [
            (str(org), bool(kept), tuple(str(r) for r in reasons or ()))
            for org, kept, reasons in json.loads(text)
        ]
    return value


def _plain(result: CursorResult[Any]) -> list[Any]:
    """The rows as the driver gives them, all at once: no `Row` built per row (a third of
    the reading of 100,000 rows). Only for columns SQLAlchemy does not convert (integers,
    plain strings, `type_coerce`d values): the driver's values are the figures' values."""
    rows = result.cursor.fetchall()
    result.close()
    return rows


def sql_dialect(connection: AsyncConnection) -> str:
    """ "sqlite+unixepoch" for SQLite ≥ 3.38 (see `_epoch_us`), else the dialect's name."""
    dialect = connection.dialect.name
    if dialect == "sqlite" and (connection.dialect.server_version_info or ()) >= (3, 38):
        return "sqlite+unixepoch"
    return dialect


def judged_columns(
    ids: Any, now: datetime, dialect: str, for_rating: bool
) -> tuple[list[Any], Any]:
    """Interim, answer flag, final flag, detected, first answer, and what to select them
    from: beside each incident on SQLite, and on PostgreSQL for a list of a few `ids`
    (through the same unique indexes); else, on PostgreSQL, joined."""
    if dialect.startswith("sqlite") or isinstance(ids, list):
        return _beside(now, dialect, for_rating), IncidentRow
    return _joined(ids, now, dialect, for_rating)


def stored_now() -> Any:
    """The incident's facts are stored at its present version."""
    return and_(ReportFact.incident_id == IncidentRow.id, ReportFact.version == IncidentRow.version)
