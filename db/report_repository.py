"""Read-only questions managers ask: what is overdue, what is due today."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db import report_queries
from db.report_queries import DueItem


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def running_deadlines_due(
        self, until: datetime, since: datetime | None = None, limit: int = 200
    ) -> list[DueItem]:
        return await report_queries.running_deadlines_due(self._session, until, since, limit)
