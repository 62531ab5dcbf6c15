"""Incidents in the database: rows to values and back, with an optimistic version check.

Repositories never commit: the caller's unit of work does (bot/services).
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.models import (
    AssignmentRow,
    DeadlineRow,
    DraftMediaRow,
    DraftRow,
    EventRow,
    IncidentRow,
    ReviewRow,
)
from workflow.effects import Event, Outcome
from workflow.model import (
    Assignment,
    Deadline,
    DeadlineState,
    Draft,
    Incident,
    IncidentStatus,
    Media,
    Post,
    ReturnReason,
    Review,
    StageLimits,
)


class VersionConflict(Exception):
    """Someone else changed the incident between our read and our write."""

    def __init__(self, incident_id: int, expected_version: int) -> None:
        super().__init__(f"incident {incident_id} is no longer at version {expected_version}")
        self.incident_id = incident_id
        self.expected_version = expected_version


# --- values ⇄ rows ----------------------------------------------------------------------------


def _stage_limits_to_json(limits: StageLimits | None) -> dict[str, Any] | None:
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


def _draft_from_row(row: DraftRow) -> Draft:
    return Draft(
        id=row.number,
        org_code=row.org_code,
        kind=row.kind,
        version=row.version,
        text=row.text,
        author_id=row.author_id,
        submitted_at=row.submitted_at,
        status=row.status,
        media=tuple(Media(m.kind, m.file_id, m.caption) for m in row.media),
        reviews=tuple(
            Review(
                reviewer_id=r.reviewer_id,
                at=r.at,
                approved=r.approved,
                reasons=tuple(ReturnReason(reason) for reason in r.reasons),
                comment=r.comment,
            )
            for r in row.reviews
        ),
        published_at=row.published_at,
        published_url=row.published_url,
        published_by=row.published_by,
    )


def _deadline_from_row(row: DeadlineRow) -> Deadline:
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


def incident_from_row(row: IncidentRow) -> Incident:
    return Incident(
        id=row.id,
        post=Post(
            source=row.source,
            url=row.url,
            text=row.text,
            author_name=row.author_name,
            author_url=row.author_url,
            published_at=row.published_at,
            external_id=row.external_id,
            attachments=tuple(row.attachments or ()),
        ),
        detected_at=row.detected_at,
        status=row.status,
        importance=row.importance,
        topic=row.topic,
        location=row.location,
        assignments=tuple(
            Assignment(
                org_code=a.org_code,
                status=a.status,
                received_at=a.received_at,
                holder_id=a.holder_id,
                decline_comment=a.decline_comment,
                consolidator=a.consolidator,
            )
            for a in row.assignments
        ),
        drafts=tuple(_draft_from_row(d) for d in row.drafts),
        deadlines=tuple(_deadline_from_row(d) for d in row.deadlines),
        no_answer_reason=row.no_answer_reason,
        dismissal_ground=row.dismissal_ground,
        dismissal_duplicate_of=row.dismissal_duplicate_of,
        version=row.version,
        consolidated=row.consolidated,
        stage_limits=_stage_limits_from_json(row.stage_limits),
    )


def _incident_columns(incident: Incident) -> dict[str, Any]:
    return {
        "status": incident.status,
        "importance": incident.importance,
        "topic": incident.topic,
        "location": incident.location,
        "no_answer_reason": incident.no_answer_reason,
        "dismissal_ground": incident.dismissal_ground,
        "dismissal_duplicate_of": incident.dismissal_duplicate_of,
        "consolidated": incident.consolidated,
        "stage_limits": _stage_limits_to_json(incident.stage_limits),
        "version": incident.version,
    }


def _apply_deadline(row: DeadlineRow, deadline: Deadline) -> None:
    row.kind = deadline.kind
    row.party = deadline.party
    row.org_code = deadline.org_code
    row.started_at = deadline.started_at
    row.due_at = deadline.due_at
    row.state = deadline.state
    row.ended_at = deadline.ended_at
    row.draft_number = deadline.draft_id
    if deadline.state is not DeadlineState.RUNNING:
        row.next_alert_at = None  # a met or cancelled clock fires nothing more


def _apply_draft(row: DraftRow, draft: Draft) -> None:
    row.status = draft.status
    row.published_at = draft.published_at
    row.published_url = draft.published_url
    row.published_by = draft.published_by
    for review in draft.reviews[len(row.reviews) :]:  # reviews are only ever appended
        row.reviews.append(
            ReviewRow(
                reviewer_id=review.reviewer_id,
                at=review.at,
                approved=review.approved,
                reasons=[reason.value for reason in review.reasons],
                comment=review.comment,
            )
        )


def _new_draft_row(draft: Draft) -> DraftRow:
    row = DraftRow(
        number=draft.id,
        org_code=draft.org_code,
        kind=draft.kind,
        version=draft.version,
        text=draft.text,
        author_id=draft.author_id,
        submitted_at=draft.submitted_at,
        media=[
            DraftMediaRow(position=index, kind=m.kind, file_id=m.file_id, caption=m.caption)
            for index, m in enumerate(draft.media)
        ],
        reviews=[],
    )
    _apply_draft(row, draft)
    return row


# --- the repository ---------------------------------------------------------------------------


def _full_incident_query():  # noqa: ANN202 - a Select of IncidentRow with its children
    return select(IncidentRow).options(
        selectinload(IncidentRow.assignments),
        selectinload(IncidentRow.drafts).selectinload(DraftRow.media),
        selectinload(IncidentRow.drafts).selectinload(DraftRow.reviews),
        selectinload(IncidentRow.deadlines),
    )


class IncidentStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Rows this unit of work read or created, children loaded: `save` syncs them without
        # reading again. Sound because every change of an incident's children bumps its
        # version, which `save` checks; the scanner's alert bookkeeping is never written here.
        self._loaded: dict[int, IncidentRow] = {}

    async def _row(self, incident_id: int) -> IncidentRow | None:
        result = await self.session.execute(
            _full_incident_query()
            .where(IncidentRow.id == incident_id)
            .execution_options(populate_existing=True)
        )
        row = result.scalar()
        if row is not None:
            self._loaded[incident_id] = row
        return row

    async def get(self, incident_id: int) -> Incident | None:
        row = await self._row(incident_id)
        return incident_from_row(row) if row else None

    async def get_with_hints(self, incident_id: int) -> tuple[Incident, tuple[str, ...]] | None:
        """The incident and the intake's flags on it (п.21 hints), from the same read."""
        row = await self._row(incident_id)
        if row is None:
            return None
        return incident_from_row(row), tuple(str(flag) for flag in row.flags or ())

    async def reserve(self, post: Post, detected_at: datetime, now: datetime) -> int:
        """Insert a version-0 row for a new incident so that detection can be given its id."""
        row = IncidentRow(
            source=post.source,
            url=post.url,
            external_id=post.external_id,
            text=post.text,
            author_name=post.author_name,
            author_url=post.author_url,
            published_at=post.published_at,
            attachments=list(post.attachments),
            detected_at=detected_at,
            status=IncidentStatus.NEW,
            importance="normal",
            version=0,
            created_at=now,
            updated_at=now,
            assignments=[],
            drafts=[],
            deadlines=[],
        )
        self.session.add(row)
        await self.session.flush()
        self._loaded[row.id] = row
        return row.id

    async def save(self, outcome: Outcome, now: datetime) -> None:
        """Write the outcome's incident, deadlines and events; raise VersionConflict if stale."""
        incident = outcome.incident
        expected = outcome.previous.version if outcome.previous is not None else 0
        result = await self.session.execute(
            update(IncidentRow)
            .where(IncidentRow.id == incident.id, IncidentRow.version == expected)
            .values(**_incident_columns(incident), updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise VersionConflict(incident.id, expected)
        row = self._loaded.get(incident.id) or await self._row(incident.id)
        assert row is not None  # the update above just matched it
        self._sync_children(row, incident)
        for event in outcome.events:
            self.session.add(
                EventRow(
                    incident_id=incident.id,
                    seq=event.seq,
                    at=event.at,
                    actor_id=event.actor_id,
                    kind=event.command,
                    payload=event.payload(),
                )
            )
        await self.session.flush()

    def _sync_children(self, row: IncidentRow, incident: Incident) -> None:
        assignments = {a.org_code: a for a in row.assignments}
        for value in incident.assignments:
            target = assignments.get(value.org_code)
            if target is None:
                target = AssignmentRow(org_code=value.org_code)
                row.assignments.append(target)
            target.status = value.status
            target.received_at = value.received_at
            target.holder_id = value.holder_id
            target.decline_comment = value.decline_comment
            target.consolidator = value.consolidator
        drafts = {d.number: d for d in row.drafts}
        for value in incident.drafts:
            existing = drafts.get(value.id)
            if existing is None:
                row.drafts.append(_new_draft_row(value))
            else:
                _apply_draft(existing, value)
        for position, value in enumerate(incident.deadlines):
            if position < len(row.deadlines):
                _apply_deadline(row.deadlines[position], value)
            else:
                # The scanner sets the reminder ladder up at the next tick (bot/deadlines).
                new_row = DeadlineRow(
                    position=position,
                    alert_stage=0,
                    next_alert_at=value.started_at if value.running else None,
                )
                _apply_deadline(new_row, value)
                row.deadlines.append(new_row)

    async def events(self, incident_id: int) -> list[Event]:
        rows = await self.session.execute(
            select(EventRow).where(EventRow.incident_id == incident_id).order_by(EventRow.seq)
        )
        return [
            Event.from_payload(r.incident_id, r.seq, r.at, r.kind, r.payload)
            for r in rows.scalars()
        ]

    async def find_by_external(self, source: str, external_id: str) -> int | None:
        return (
            await self.session.execute(
                select(IncidentRow.id).where(
                    IncidentRow.source == source, IncidentRow.external_id == external_id
                )
            )
        ).scalar()

    async def find_by_url(self, url: str) -> int | None:
        return (
            await self.session.execute(
                select(IncidentRow.id).where(IncidentRow.url == url).order_by(IncidentRow.id)
            )
        ).scalar()
