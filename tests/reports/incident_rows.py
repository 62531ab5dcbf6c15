"""A fixed set of incidents written straight into the tables, for the report tests.

The figures each test expects are worked out by hand from the list below (see
tests/reports/test_figures.py); the rows are what the workflow stores, written directly so
that every timestamp is exactly the one the arithmetic uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from db.directory_cache import directory_changed
from db.models import AssignmentRow, DeadlineRow, DraftRow, IncidentRow, Organisation, ReviewRow
from workflow.model import (
    AssignmentStatus,
    DeadlineKind,
    DeadlineState,
    DraftKind,
    DraftStatus,
    IncidentStatus,
    Party,
    Source,
)

MET, RUNNING, CANCELLED = DeadlineState.MET, DeadlineState.RUNNING, DeadlineState.CANCELLED


def utc(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Row:
    detected: datetime
    status: str = IncidentStatus.ANSWERED.value
    orgs: list[tuple[str, AssignmentStatus, datetime]] = field(default_factory=list)
    # kind, org, started, due, state, ended
    deadlines: list[
        tuple[DeadlineKind, str | None, datetime, datetime, DeadlineState, datetime | None]
    ] = field(default_factory=list)
    # kind, org, published at (None: not published)
    drafts: list[tuple[DraftKind, str, datetime | None]] = field(default_factory=list)
    # org, at, reasons: returned drafts (п.14)
    returns: list[tuple[str, datetime, list[str]]] = field(default_factory=list)
    no_answer_reason: str | None = None


_urls = count(1)


async def add_org(session: AsyncSession, code: str, name: str) -> None:
    session.add(Organisation(code=code, name=name, is_centre=False, topics=[]))
    await session.flush()
    directory_changed(session)


async def add_rows(session: AsyncSession, rows: list[Row]) -> list[int]:
    ids = []
    for row in rows:
        now = row.detected
        incident = IncidentRow(
            source=Source.VK,
            url=f"https://vk.com/wall-1_{next(_urls)}",
            text="Когда починят дорогу?",
            detected_at=row.detected,
            status=IncidentStatus.IN_WORK
            if row.status == "dismissed"
            else IncidentStatus(row.status),
            importance="normal",
            no_answer_reason=row.no_answer_reason,
            created_at=now,
            updated_at=now,
        )
        session.add(incident)
        await session.flush()
        for code, status, received in row.orgs:
            session.add(
                AssignmentRow(
                    incident_id=incident.id, org_code=code, status=status, received_at=received
                )
            )
        for position, (kind, code, started, due, state, ended) in enumerate(row.deadlines):
            party = Party.CENTRE if kind is DeadlineKind.REROUTE else Party.EVERYONE
            session.add(
                DeadlineRow(
                    incident_id=incident.id,
                    position=position,
                    kind=kind,
                    party=party,
                    org_code=code,
                    started_at=started,
                    due_at=due,
                    state=state,
                    ended_at=ended,
                )
            )
        number = 0
        for code, at, reasons in row.returns:
            number += 1
            draft = DraftRow(
                incident_id=incident.id,
                number=number,
                org_code=code,
                kind=DraftKind.ANSWER,
                version=number,
                text="Проект",
                author_id=1,
                submitted_at=at,
                status=DraftStatus.RETURNED,
            )
            session.add(draft)
            await session.flush()
            session.add(
                ReviewRow(draft_id=draft.id, reviewer_id=1, at=at, approved=False, reasons=reasons)
            )
        for kind, code, published in row.drafts:
            number += 1
            session.add(
                DraftRow(
                    incident_id=incident.id,
                    number=number,
                    org_code=code,
                    kind=kind,
                    version=1,
                    text="Ответ",
                    author_id=1,
                    submitted_at=published or row.detected,
                    status=DraftStatus.PUBLISHED if published else DraftStatus.PENDING,
                    published_at=published,
                )
            )
        await session.flush()
        if row.status == "dismissed":  # п.10, whether or not IncidentStatus knows it yet
            await session.execute(
                text("UPDATE incidents SET status = 'dismissed' WHERE id = :id"),
                {"id": incident.id},
            )
        ids.append(incident.id)
    return ids
