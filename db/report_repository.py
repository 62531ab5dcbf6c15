"""Questions managers ask: what is overdue, what is due today, the figures of a period;
and the marker that a scheduled report went out (db/models_reports.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from db.models import DeadlineRow, IncidentRow
from db.models_reports import ReportMark
from db.report_facts import period_facts
from db.report_store import store_facts
from db.report_tallies import period_rows
from workflow.model import OPEN_STATUSES, DeadlineKind, DeadlineState
from workflow.report_figures import IncidentFacts
from workflow.report_sums import PeriodRows


@dataclass(frozen=True, slots=True)
class DueItem:
    incident_id: int
    kind: DeadlineKind
    org_code: str | None
    due_at: datetime


def _one_connection(engine: AsyncEngine) -> bool:
    return isinstance(engine.sync_engine.pool, StaticPool | SingletonThreadPool)


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

    async def period_facts(
        self, start: datetime, end: datetime, org_code: str | None = None
    ) -> list[IncidentFacts]:
        """Each incident detected in [start, end), of one organisation or all."""
        return await period_facts(self._session, start, end, org_code)

    async def period_rows(
        self,
        start: datetime,
        end: datetime,
        now: datetime,
        org_code: str | None = None,
        *,
        for_rating: bool = False,
        apart: bool = False,
    ) -> PeriodRows:
        """What the figures of [start, end) need, judged at `now` (plain rows: fast);
        `for_rating`: only what the rating reads (the previous period). `apart`: read in a
        read-only transaction on a connection of its own, so that it can run while this
        session reads something else (not on an in-memory SQLite: it has one connection)."""
        bind = self._session.bind
        if not apart or not isinstance(bind, AsyncEngine) or _one_connection(bind):
            return await period_rows(
                self._session, start, end, now, org_code, for_rating=for_rating
            )
        async with AsyncSession(bind) as session, session.begin():
            return await period_rows(session, start, end, now, org_code, for_rating=for_rating)

    async def store_facts(self, now: datetime, limit: int, after: int = 0) -> tuple[int, int]:
        """Store the facts of up to `limit` closed incidents not stored at their present
        version (db/models_reports.py ReportFact), ids after `after`; returns how many
        and the last id."""
        return await store_facts(self._session, now, limit, after)

    async def mark_sent(self, key: str, chat_id: int, now: datetime) -> bool:
        """Take the marker of a scheduled report for a chat; False: it was taken before
        (by this process or another; the unique key decides)."""
        values = {"key": key, "chat_id": chat_id, "sent_at": now}
        dialect = self._session.get_bind().dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        statement = module.insert(ReportMark).values(**values).on_conflict_do_nothing()
        result = await self._session.execute(statement)
        return bool(result.rowcount)
