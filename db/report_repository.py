"""Read-only questions managers ask: what is overdue, what is due today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DeadlineRow, IncidentRow
from workflow.model import OPEN_STATUSES, DeadlineKind, DeadlineState


@dataclass(frozen=True, slots=True)
class DueItem:
    incident_id: int
    kind: DeadlineKind
    org_code: str | None
    due_at: datetime


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def running_deadlines_due(
        self, until: datetime, since: datetime | None = None, limit: int = 200
    ) -> list[DueItem]:
        """Running deadlines of open incidents due before `until` (and not before `since`)."""
        query = (
            select(
                DeadlineRow.incident_id, DeadlineRow.kind, DeadlineRow.org_code, DeadlineRow.due_at
            )
            .join(IncidentRow, IncidentRow.id == DeadlineRow.incident_id)
            .where(
                DeadlineRow.state == DeadlineState.RUNNING,
                DeadlineRow.due_at <= until,
                IncidentRow.status.in_(list(OPEN_STATUSES)),
            )
            .order_by(DeadlineRow.due_at, DeadlineRow.id)
            .limit(limit)
        )
        if since is not None:
            query = query.where(DeadlineRow.due_at >= since)
        rows = await self._session.execute(query)
        return [DueItem(*row) for row in rows]
