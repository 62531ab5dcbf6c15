"""The few read-only statements of the health and metrics endpoints (bot/http_endpoints.py):
is the database there, how far behind is the outbox, how many deadlines are due or overdue.
Each is one aggregate over an indexed column, cheap enough for every scrape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DeadlineRow, OutboxRow
from workflow.model import DeadlineState


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    pending: int  # rows not yet sent (due or waiting for quiet hours)
    oldest_created_at: datetime | None  # of the oldest pending row that is due


@dataclass(frozen=True, slots=True)
class DeadlineLoad:
    due: int  # running deadlines whose next alert is due (the scanner is behind by these)
    overdue: int  # running deadlines past their due time


class HealthRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ping(self) -> None:
        """Raises when the database does not answer."""
        await self._session.execute(text("SELECT 1"))

    async def outbox_backlog(self, now: datetime) -> OutboxBacklog:
        pending = await self._session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.state == "pending")
        )
        oldest = await self._session.scalar(
            select(func.min(OutboxRow.created_at)).where(
                OutboxRow.state == "pending", OutboxRow.not_before <= now
            )
        )
        return OutboxBacklog(int(pending or 0), oldest)

    async def deadline_load(self, now: datetime) -> DeadlineLoad:
        running = DeadlineRow.state == DeadlineState.RUNNING
        due = await self._session.scalar(
            select(func.count())
            .select_from(DeadlineRow)
            .where(running, DeadlineRow.next_alert_at <= now)
        )
        overdue = await self._session.scalar(
            select(func.count()).select_from(DeadlineRow).where(running, DeadlineRow.due_at < now)
        )
        return DeadlineLoad(int(due or 0), int(overdue or 0))
