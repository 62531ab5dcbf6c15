"""The facts of each incident detected in a period, read for the reports (issue 13).

Four indexed statements over the incidents of the period (by `detected_at`, and by the
organisation's assignments when one is asked for), assembled into `IncidentFacts`. The
status is read as a plain string so that a status this code does not know yet (п.10
dismissals, `"dismissed"`) is read rather than refused; `is_dismissed` (workflow/
report_figures.py) is the one place that recognises it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AssignmentRow, DeadlineRow, DraftRow, IncidentRow, ReviewRow
from workflow.model import (
    AssignmentStatus,
    DeadlineKind,
    DeadlineState,
    DraftKind,
    DraftStatus,
)
from workflow.report_figures import Clock, Decline, IncidentFacts, Return

_KINDS = (DeadlineKind.FINAL_ANSWER, DeadlineKind.REROUTE)  # the answer clock: beside the incident
FINAL, REROUTE = (kind.value for kind in _KINDS)
CANCELLED = DeadlineState.CANCELLED.value
DECLINED = AssignmentStatus.DECLINED.value


def _moment(column: Any) -> ColumnElement[Any]:
    """A moment read raw: SQLite gives its text, parsed by `_utc` (much faster than the
    column type's per-value parsing); PostgreSQL gives an aware datetime anyway."""
    return type_coerce(column, String)


def _utc(value: Any) -> Any:
    if isinstance(value, str):  # SQLite keeps UTC wall-clock text (db/types.py)
        return datetime.fromisoformat(value + "+00:00")  # several times faster than .replace
    return value


def _text(column: Any) -> ColumnElement[str]:
    """An enum column read as its stored string: no conversion per row (this reads many)."""
    return type_coerce(column, String)


def status_text() -> ColumnElement[str]:
    """The incident's status as stored, whatever its value."""
    return _text(IncidentRow.status)


def _in_period(start: datetime, end: datetime, org_code: str | None) -> Select[Any]:
    query = select(IncidentRow.id).where(
        IncidentRow.detected_at >= start, IncidentRow.detected_at < end
    )
    if org_code is not None:
        query = query.where(
            IncidentRow.id.in_(
                select(AssignmentRow.incident_id).where(AssignmentRow.org_code == org_code)
            )
        )
    return query


def _first_published(kind: DraftKind) -> Any:
    """When the incident's first draft of this kind was published (one value per incident:
    read beside the incident rather than as rows of their own)."""
    return type_coerce(
        select(func.min(DraftRow.published_at))
        .where(
            DraftRow.incident_id == IncidentRow.id,
            DraftRow.kind == kind,
            DraftRow.status == DraftStatus.PUBLISHED,
        )
        .scalar_subquery(),
        String,
    )


def _answer_clock(column: Any) -> Any:
    """One column of the answer clock in force (as `_clock` chooses), beside the incident."""
    return type_coerce(
        select(column)
        .where(DeadlineRow.incident_id == IncidentRow.id, DeadlineRow.kind == DeadlineKind.ANSWER)
        .order_by(DeadlineRow.state == DeadlineState.CANCELLED, DeadlineRow.position.desc())
        .limit(1)
        .scalar_subquery(),
        String,
    )


def _clock(rows: list[Any]) -> Clock | None:
    """The answer clock in force: the last one not cancelled (a change of importance
    replaces it), else the last."""
    if not rows:
        return None
    live = [row for row in rows if row[2] != CANCELLED]
    row = (live or rows)[-1]
    return Clock(_utc(row[3]), row[2], _utc(row[4]))


async def period_facts(
    session: AsyncSession, start: datetime, end: datetime, org_code: str | None = None
) -> list[IncidentFacts]:
    ids = _in_period(start, end, org_code)
    # Core statements on the session's connection: plain rows, without the ORM's per-row work.
    connection = await session.connection()
    incidents = (
        await connection.execute(
            select(
                IncidentRow.id,
                _moment(IncidentRow.detected_at),
                status_text(),
                _text(IncidentRow.importance),
                IncidentRow.url,
                type_coerce(IncidentRow.no_answer_reason, String),
                _first_published(DraftKind.ANSWER),
                _first_published(DraftKind.INTERIM),
                _answer_clock(DeadlineRow.due_at),
                _answer_clock(DeadlineRow.state),
                _answer_clock(DeadlineRow.ended_at),
            )
            .where(IncidentRow.id.in_(ids))
            .order_by(IncidentRow.detected_at, IncidentRow.id)
        )
    ).all()
    orgs: dict[int, list[str]] = defaultdict(list)
    routed: dict[int, datetime] = {}
    declined: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for incident_id, code, status, received_at in (
        await connection.execute(
            select(
                AssignmentRow.incident_id,
                AssignmentRow.org_code,
                _text(AssignmentRow.status),
                _moment(AssignmentRow.received_at),
            )
            .where(AssignmentRow.incident_id.in_(ids))
            .order_by(AssignmentRow.id)
        )
    ).all():
        received_at = _utc(received_at)
        routed[incident_id] = min(received_at, routed.get(incident_id, received_at))
        if status == DECLINED:
            declined[incident_id].append((code, received_at))
        else:
            orgs[incident_id].append(code)
    clocks: dict[tuple[int, str], list[Any]] = defaultdict(list)
    reroutes: dict[tuple[int, str | None], datetime] = {}
    for row in (
        await connection.execute(
            select(
                DeadlineRow.incident_id,
                _text(DeadlineRow.kind),
                _text(DeadlineRow.state),
                _moment(DeadlineRow.due_at),
                _moment(DeadlineRow.ended_at),
                DeadlineRow.org_code,
                _moment(DeadlineRow.started_at),
            )
            .where(DeadlineRow.incident_id.in_(ids), DeadlineRow.kind.in_(_KINDS))
            .order_by(DeadlineRow.incident_id, DeadlineRow.position)
        )
    ).all():
        if row[1] == REROUTE:
            reroutes.setdefault((row[0], row[5]), _utc(row[6]))
        else:
            clocks[(row[0], row[1])].append(row)
    returns: dict[int, list[Return]] = defaultdict(list)
    for incident_id, code, number, at, reasons, comment in (
        await connection.execute(
            select(
                DraftRow.incident_id,
                DraftRow.org_code,
                DraftRow.number,
                _moment(ReviewRow.at),
                ReviewRow.reasons,
                ReviewRow.comment,
            )
            .join(ReviewRow, ReviewRow.draft_id == DraftRow.id)
            .where(DraftRow.incident_id.in_(ids), ReviewRow.approved.is_(False))
            .order_by(ReviewRow.at, ReviewRow.id)
        )
    ).all():
        returns[incident_id].append(
            Return(code, _utc(at), tuple(str(r) for r in reasons or ()), comment, number)
        )
    return [
        IncidentFacts(
            id=row[0],
            detected_at=_utc(row[1]),
            status=row[2],
            importance=row[3],
            url=row[4],
            orgs=tuple(orgs.get(row[0], ())),
            routed_at=routed.get(row[0]),
            answer=Clock(_utc(row[8]), row[9], _utc(row[10])) if row[9] else None,
            final=_clock(clocks.get((row[0], FINAL), [])),
            interim_at=_utc(row[7]),
            answer_at=_utc(row[6]),
            returns=tuple(returns.get(row[0], ())),
            declines=tuple(
                Decline(code, received, reroutes[(row[0], code)])
                for code, received in declined.get(row[0], ())
                if (row[0], code) in reroutes
            ),
            no_answer_reason=row[5],
        )
        for row in incidents
    ]
