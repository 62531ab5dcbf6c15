"""What managers and responsible officials ask: overdue, due today, one incident's story."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.calendars import CalendarConfig
from bot.services.read_models import Names, ReadModels, TimelineModel
from db.report_repository import DueItem
from db.uow import UnitOfWork

LOOK_BACK = timedelta(days=365)  # "due today" includes what is overdue from before


@dataclass(frozen=True, slots=True)
class DueReport:
    items: list[DueItem]
    names: Names


class ReportService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        calendar_config: CalendarConfig,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._read_models = ReadModels(calendar_config)
        self.centre_tz = ZoneInfo(calendar_config.timezone)

    def _unit(self) -> UnitOfWork:
        return UnitOfWork(self._sessions)

    async def overdue(self) -> DueReport:
        return await self._due(self._clock.now())

    async def due_today(self) -> DueReport:
        """Everything due by the end of today in the centre's time zone."""
        now = self._clock.now()
        local = now.astimezone(self.centre_tz)
        end = datetime.combine(local.date(), time(23, 59, 59), self.centre_tz)
        return await self._due(end, since=now - LOOK_BACK)

    async def _due(self, until: datetime, since: datetime | None = None) -> DueReport:
        async with self._unit() as uow:
            items = await uow.reports.running_deadlines_due(until, since)
            organisations = await uow.directory.organisations()
        return DueReport(items, Names({org.code: org.name for org in organisations}, {}))

    async def timeline(self, incident_id: int) -> TimelineModel | None:
        async with self._unit() as uow:
            return await self._read_models.timeline(uow, incident_id)
