"""Scheduled reports: the monthly report to the managers on the first working day of the
month, and the quarterly rating (seed 000 п.12: by the 10th of the month after the quarter)
to the managers and the curator; both at the digest time in each reader's own zone.

Each goes out once per chat: the marker (`report_marks`, unique per report and chat) is taken
in the same transaction as the outbox rows, so neither a restart nor a second process sends
it again. A report the bot could not send on its day (it was down) is still sent on a later
working day up to the 10th (or up to the first working day, when that comes later, as in
January).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.addressing import resolve
from bot.services.calendars import CalendarConfig, load_calendars
from bot.services.outbox_writer import OutboxWriter
from bot.services.period_reports import write_report_rows
from db.outbox_repository import Priority
from db.uow import UnitOfWork
from workflow.alerts import AlertPolicy
from workflow.calendar import WorkingCalendar
from workflow.effects import Addressee
from workflow.report_periods import Period, month_of, quarter_of
from workflow.roles import Role

log = logging.getLogger(__name__)

MONTHLY = "monthly"
QUARTERLY = "quarterly"
READERS: dict[str, frozenset[Role]] = {
    MONTHLY: frozenset({Role.MANAGER}),
    QUARTERLY: frozenset({Role.MANAGER, Role.CURATOR}),
}
TITLES = {MONTHLY: "reports.title_monthly", QUARTERLY: "reports.title_quarterly"}
LAST_DAY = 10  # seed 000 п.12: the quarterly rating by the 10th


@dataclass(frozen=True, slots=True)
class ReportSlot:
    key: str  # MONTHLY or QUARTERLY
    period: Period

    @property
    def marker(self) -> str:
        return f"scheduled-{self.key}:{self.period.first.isoformat()}"


def first_working_day(calendar: WorkingCalendar, month_start: date) -> date:
    day = month_start
    for _ in range(31):
        if calendar.is_working_day(day):
            return day
        day += timedelta(days=1)
    return month_start


def report_slots(now: datetime, calendar: WorkingCalendar, policy: AlertPolicy) -> list[ReportSlot]:
    """The scheduled reports a reader on this calendar is due at `now` (before the markers)."""
    if policy.digest_time is None:
        return []
    local = now.astimezone(calendar.tz)
    today = local.date()
    if not calendar.is_working_day(today) or local.time() < policy.digest_time:
        return []
    first = first_working_day(calendar, today.replace(day=1))
    if not first <= today <= max(first, today.replace(day=LAST_DAY)):
        return []
    last_month = month_of(today.replace(day=1) - timedelta(days=1))
    slots = [ReportSlot(MONTHLY, last_month)]
    if today.month in (1, 4, 7, 10):
        slots.append(ReportSlot(QUARTERLY, quarter_of(last_month.first)))
    return slots


class ScheduledReports:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        calendar_config: CalendarConfig,
        policy: AlertPolicy | None = None,
        *,
        default_locale: str = "ru",
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._calendar_config = calendar_config
        self.policy = policy or AlertPolicy()
        self._writer = OutboxWriter(default_locale)
        self._done: set[tuple[int, str]] = set()  # a shortcut only: the markers are the record

    async def run(self) -> int:
        """Write the scheduled reports due now and not out yet; returns the chats written to."""
        now = self._clock.now()
        if self.policy.digest_time is None:
            return 0
        async with UnitOfWork(self._sessions) as uow:
            calendars = await load_calendars(uow.directory, self._calendar_config)
            readers = await uow.directory.people_with_roles(set().union(*READERS.values()))
        written = 0
        for reader in readers:
            if reader.telegram_id is None:
                continue
            calendar = cast(
                WorkingCalendar,
                calendars.for_org(reader.org_code) if reader.org_code else calendars.centre,
            )
            for slot in report_slots(now, calendar, self.policy):
                if not reader.roles & READERS[slot.key] or (reader.id, slot.marker) in self._done:
                    continue
                written += await self._send(reader.id, slot, now)
                self._done.add((reader.id, slot.marker))
        if written:
            log.info("scheduled reports: %d written", written)
        return written

    async def _send(self, person_id: int, slot: ReportSlot, now: datetime) -> int:
        written = 0
        async with UnitOfWork(self._sessions) as uow:
            # The reader's chat, or whoever stands in for an absent reader (п.8).
            for recipient in await resolve(uow.directory, Addressee.person(person_id), now):
                if not await uow.reports.mark_sent(slot.marker, recipient.chat_id, now):
                    continue
                await write_report_rows(
                    self._writer,
                    uow,
                    recipient.chat_id,
                    recipient.locale,
                    slot.period,
                    None,
                    now,
                    title=TITLES[slot.key],
                    priority=Priority.NOTICE,
                )
                written += 1
        return written
