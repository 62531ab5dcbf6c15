"""Incidents read from their tables as plain rows (SQLAlchemy Core) and turned into values.

No ORM objects: an incident is read on every press and every card drawn, and building
instrumented objects only to copy them into frozen values cost more than the reading
itself. One loader serves one incident (the store) and many (the scanner's alerts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    AssignmentRow,
    DeadlineRow,
    DraftMediaRow,
    DraftRow,
    DuplicatePost,
    IncidentRow,
    ReviewRow,
)
from workflow.model import (
    Assignment,
    Deadline,
    Draft,
    Incident,
    Media,
    Post,
    ReturnReason,
    Review,
    StageLimits,
)

INCIDENTS = IncidentRow.__table__
ASSIGNMENTS = AssignmentRow.__table__
DRAFTS = DraftRow.__table__
MEDIA = DraftMediaRow.__table__
REVIEWS = ReviewRow.__table__
DEADLINES = DeadlineRow.__table__
DUPLICATES = DuplicatePost.__table__

_INCIDENT_COLUMNS = [column for column in INCIDENTS.c if column.name not in {"created_at"}]
_DEADLINE_COLUMNS = [
    column for column in DEADLINES.c if column.name not in {"id", "next_alert_at", "alert_stage"}
]


@dataclass(frozen=True, slots=True)
class LoadedIncident:
    incident: Incident
    flags: tuple[str, ...]  # the intake's hints on it (п.21), not part of the workflow's value
    repeats: int = 0  # posts attached to it as its repeats (their addresses read only if any)


def repeats_of(incident_id: Any) -> Any:
    """How many posts were attached to the incident as its repeats (a scalar subquery)."""
    return (
        select(func.count())
        .select_from(DUPLICATES)
        .where(DUPLICATES.c.incident_id == incident_id)
        .scalar_subquery()
        .label("repeats")
    )


def stage_limits_to_json(limits: StageLimits | None) -> dict[str, Any] | None:
    if limits is None:
        return None
    return {
        field.name: int(value.total_seconds())
        for field in fields(limits)
        if (value := getattr(limits, field.name)) is not None
    }


def _stage_limits_from_json(data: dict[str, Any] | None) -> StageLimits | None:
    if data is None:
        return None
    return StageLimits(**{name: timedelta(seconds=seconds) for name, seconds in data.items()})


def deadline_from_row(row: Any) -> Deadline:
    """A deadline value from a row with the deadline table's columns (ORM object or Core row)."""
    return Deadline(
        kind=row.kind,
        party=row.party,
        due_at=row.due_at,
        started_at=row.started_at,
        state=row.state,
        org_code=row.org_code,
        ended_at=row.ended_at,
        draft_id=row.draft_number,
    )


def _matching(column: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    # `=` for one id: an IN list is re-rendered on every execution, `=` is compiled once.
    return column == ids[0] if len(ids) == 1 else column.in_(ids)


async def load_incidents(session: AsyncSession, ids: Sequence[int]) -> dict[int, LoadedIncident]:
    """The incidents with these ids, children and all: one statement per table concerned."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    heads = (
        await session.execute(
            select(*_INCIDENT_COLUMNS, repeats_of(INCIDENTS.c.id)).where(
                _matching(INCIDENTS.c.id, wanted)
            )
        )
    ).all()
    if not heads:
        return {}
    found = [head.id for head in heads]
    assignments: defaultdict[int, list[Assignment]] = defaultdict(list)
    for row in await session.execute(
        select(ASSIGNMENTS)
        .where(_matching(ASSIGNMENTS.c.incident_id, found))
        .order_by(ASSIGNMENTS.c.id)
    ):
        assignments[row.incident_id].append(
            Assignment(
                org_code=row.org_code,
                status=row.status,
                received_at=row.received_at,
                holder_id=row.holder_id,
                decline_comment=row.decline_comment,
                consolidator=row.consolidator,
            )
        )
    deadlines: defaultdict[int, list[Deadline]] = defaultdict(list)
    for row in await session.execute(
        select(*_DEADLINE_COLUMNS)
        .where(_matching(DEADLINES.c.incident_id, found))
        .order_by(DEADLINES.c.incident_id, DEADLINES.c.position)
    ):
        deadlines[row.incident_id].append(deadline_from_row(row))
    drafts = await _load_drafts(session, found)
    return {
        head.id: LoadedIncident(
            Incident(
                id=head.id,
                post=Post(
                    source=head.source,
                    url=head.url,
                    text=head.text,
                    author_name=head.author_name,
                    author_url=head.author_url,
                    published_at=head.published_at,
                    external_id=head.external_id,
                    attachments=tuple(head.attachments or ()),
                ),
                detected_at=head.detected_at,
                status=head.status,
                importance=head.importance,
                topic=head.topic,
                location=head.location,
                assignments=tuple(assignments.get(head.id, ())),
                drafts=tuple(drafts.get(head.id, ())),
                deadlines=tuple(deadlines.get(head.id, ())),
                no_answer_reason=head.no_answer_reason,
                dismissal_ground=head.dismissal_ground,
                dismissal_duplicate_of=head.dismissal_duplicate_of,
                version=head.version,
                consolidated=head.consolidated,
                stage_limits=_stage_limits_from_json(head.stage_limits),
            ),
            tuple(str(flag) for flag in head.flags or ()),
            int(head.repeats),
        )
        for head in heads
    }


async def _load_drafts(session: AsyncSession, incident_ids: list[int]) -> dict[int, list[Draft]]:
    rows = (
        await session.execute(
            select(DRAFTS)
            .where(_matching(DRAFTS.c.incident_id, incident_ids))
            .order_by(DRAFTS.c.incident_id, DRAFTS.c.number)
        )
    ).all()
    if not rows:
        return {}
    row_ids = [row.id for row in rows]
    media: defaultdict[int, list[Media]] = defaultdict(list)
    for item in await session.execute(
        select(MEDIA).where(_matching(MEDIA.c.draft_id, row_ids)).order_by(MEDIA.c.position)
    ):
        media[item.draft_id].append(Media(item.kind, item.file_id, item.caption))
    reviews: defaultdict[int, list[Review]] = defaultdict(list)
    for item in await session.execute(
        select(REVIEWS).where(_matching(REVIEWS.c.draft_id, row_ids)).order_by(REVIEWS.c.id)
    ):
        reviews[item.draft_id].append(
            Review(
                reviewer_id=item.reviewer_id,
                at=item.at,
                approved=item.approved,
                reasons=tuple(ReturnReason(reason) for reason in item.reasons),
                comment=item.comment,
            )
        )
    drafts: defaultdict[int, list[Draft]] = defaultdict(list)
    for row in rows:
        drafts[row.incident_id].append(
            Draft(
                id=row.number,
                org_code=row.org_code,
                kind=row.kind,
                version=row.version,
                text=row.text,
                author_id=row.author_id,
                submitted_at=row.submitted_at,
                status=row.status,
                media=tuple(media.get(row.id, ())),
                reviews=tuple(reviews.get(row.id, ())),
                published_at=row.published_at,
                published_url=row.published_url,
                published_by=row.published_by,
            )
        )
    return drafts
