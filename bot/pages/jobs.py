"""The pages' periodic job (every minute, beside the digests): settle and alert the page
duties, the quota reminders, the Monday tables; one transaction a run.

Everything it sends is decided from rows (the duties' stages, the `page_notices` keys), so a
run after a restart catches up without repeating anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.pages.duties import PageDuties
from bot.pages.quota import QuotaNotices
from bot.services.calendars import CalendarConfig
from bot.services.outbox_writer import OutboxWriter
from db.uow import UnitOfWork
from workflow.alerts import AlertPolicy
from workflow.pages import PagePolicy

log = logging.getLogger(__name__)

JOB_ID = "pages.run"


class PageJobs:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        calendar_config: CalendarConfig,
        policy: PagePolicy,
        alert_policy: AlertPolicy,
        *,
        default_locale: str = "ru",
        on_written: Callable[[], None] = lambda: None,
    ) -> None:
        writer = OutboxWriter(default_locale)
        self._sessions = sessions
        self._clock = clock
        self.duties = PageDuties(calendar_config, policy, alert_policy, writer)
        self.quota = QuotaNotices(calendar_config, policy, alert_policy, writer)
        self._on_written = on_written

    async def run(self) -> int:
        """One pass; returns the number of outbox rows written."""
        now = self._clock.now()
        async with UnitOfWork(self._sessions, write=True) as uow:
            written = await self.duties.run(uow, now)
            written += await self.quota.reminders(uow, now)
            written += await self.quota.tables(uow, now)
        if written:
            log.info("pages: %d messages written", written)
            self._on_written()
        return written

    async def job(self) -> None:
        """The scheduler's entry: a failed run is logged, and the next one tries again."""
        try:
            await self.run()
        except Exception:
            log.exception("pages run failed")
