"""Morning and weekly digests for the curators and the managers.

Every working morning (`AlertPolicy.digest_time`, 09:00 by default, in each reader's own
time zone and only on the working days of the reader's calendar) each curator, deputy and
manager gets `digest.daily`: open incidents, answers due today, what is overdue by
organisation, and how the deadlines that fell due on the previous working day ended. On the
first working day of the week (Monday unless it is a holiday) `digest.weekly` follows with the
same for the whole previous week.

A digest reaches its reader's chat through the one resolver, and the chat of whoever stands
in for an absent reader (п.8). Sending is idempotent per chat and day (week): the row carries
a `digest_key`, and before writing one the sender looks for an outbox row of the same key and
chat, under a lock on those chats (an advisory lock on PostgreSQL, the database's write lock
on SQLite), so two bot processes do not both send it; a stand-in who reads digests anyway
gets one. A digest that could not go out within `digest_catch_up` of its time (the bot was
down all morning) is skipped rather than sent in the afternoon.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.addressing import resolve
from bot.services.calendars import CalendarConfig, load_calendars
from bot.services.outbox_writer import OutboxWriter
from db.deadline_repository import DigestNumbers
from db.directory_queries import PersonView
from db.outbox_repository import Priority
from db.uow import UnitOfWork
from workflow.alerts import AlertPolicy
from workflow.calendar import WorkingCalendar
from workflow.effects import Addressee, JSONDict
from workflow.roles import Role

__all__ = [
    "DIGEST_DAILY",
    "DIGEST_ROLES",
    "DIGEST_WEEKLY",
    "DigestNumbers",
    "DigestSender",
    "DigestSlot",
    "digest_slots",
]

log = logging.getLogger(__name__)

DIGEST_DAILY = "digest.daily"
DIGEST_WEEKLY = "digest.weekly"
DIGEST_ROLES: tuple[Role, ...] = (Role.CURATOR, Role.DEPUTY_CURATOR, Role.MANAGER)
_LOOK_BACK = timedelta(days=8)  # how far back an earlier copy of a digest is looked for
DIGEST_LOOK_BACK = _LOOK_BACK  # the pruner keeps digest rows this long (bot/housekeeping.py)
_MAX_DAYS_BACK = 366


# --- when (pure) ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestSlot:
    """One digest a reader is due now, and the period whose met / missed counts it gives."""

    key: str  # DIGEST_DAILY or DIGEST_WEEKLY
    marker: str  # the local date (daily) or the Monday of the week (weekly)
    today: date
    period_start: date  # local dates, end exclusive
    period_end: date

    @property
    def digest_key(self) -> str:
        return f"{self.key}:{self.marker}"


def _previous_working_day(calendar: WorkingCalendar, today: date) -> date:
    day = today - timedelta(days=1)
    for _ in range(_MAX_DAYS_BACK):
        if calendar.is_working_day(day):
            return day
        day -= timedelta(days=1)
    return today - timedelta(days=1)


def digest_slots(now: datetime, calendar: WorkingCalendar, policy: AlertPolicy) -> list[DigestSlot]:
    """The digests a reader on this calendar is due at `now` (before de-duplication)."""
    if policy.digest_time is None:
        return []
    local = now.astimezone(calendar.tz)
    today = local.date()
    if not calendar.is_working_day(today):
        return []
    at = datetime.combine(today, policy.digest_time, tzinfo=calendar.tz)
    if not at <= local <= at + policy.digest_catch_up:
        return []
    slots = [
        DigestSlot(
            DIGEST_DAILY, today.isoformat(), today, _previous_working_day(calendar, today), today
        )
    ]
    weekday = policy.weekly_digest_weekday
    if weekday is not None and today.weekday() >= weekday:
        monday = today - timedelta(days=today.weekday())
        earlier = (monday + timedelta(days=d) for d in range(weekday, today.weekday()))
        if not any(calendar.is_working_day(day) for day in earlier):  # first working day
            slots.append(
                DigestSlot(
                    DIGEST_WEEKLY, monday.isoformat(), today, monday - timedelta(days=7), monday
                )
            )
    return slots


# --- the sender -------------------------------------------------------------------------------


def _local_midnight(day: date, calendar: WorkingCalendar) -> datetime:
    return datetime.combine(day, time(0), tzinfo=calendar.tz)


class DigestSender:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        calendar_config: CalendarConfig,
        policy: AlertPolicy | None = None,
        *,
        default_locale: str = "ru",
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._calendar_config = calendar_config
        self.policy = policy or AlertPolicy()
        self._writer = OutboxWriter(default_locale)
        self._sent: set[tuple[int, str]] = set()  # (reader, digest_key) known to be done

    async def run(self) -> int:
        """Write the digests due now that are not out yet; returns how many were written."""
        now = self._clock.now()
        if self.policy.digest_time is None:
            return 0
        async with UnitOfWork(self._sessions) as uow:
            calendars = await load_calendars(uow.directory, self._calendar_config)
            readers = await uow.directory.people_with_roles(DIGEST_ROLES)
            organisations = await uow.directory.organisations()
        centre_code = next((org.code for org in organisations if org.is_centre), None)
        if len(self._sent) > 10_000:
            self._sent.clear()  # only a shortcut: the outbox is the record
        written = 0
        numbers: dict[tuple[Any, ...], DigestNumbers] = {}
        for reader in readers:
            if reader.telegram_id is None:
                continue
            calendar = cast(
                WorkingCalendar,
                calendars.for_org(reader.org_code) if reader.org_code else calendars.centre,
            )
            for slot in digest_slots(now, calendar, self.policy):
                if (reader.id, slot.digest_key) in self._sent:
                    continue
                if await self._send(reader, slot, calendar, now, centre_code, numbers):
                    written += 1
                self._sent.add((reader.id, slot.digest_key))
        if written:
            log.info("digests: %d written", written)
        return written

    async def _send(
        self,
        reader: PersonView,
        slot: DigestSlot,
        calendar: WorkingCalendar,
        now: datetime,
        centre_code: str | None,
        cache: dict[tuple[Any, ...], DigestNumbers],
    ) -> bool:
        day_end = _local_midnight(slot.today + timedelta(days=1), calendar)
        period_start = _local_midnight(slot.period_start, calendar)
        period_end = _local_midnight(slot.period_end, calendar)
        async with UnitOfWork(self._sessions) as uow:
            # The reader's chat, or whoever stands in for an absent reader too (п.8).
            recipients = await resolve(uow.directory, Addressee.person(reader.id), now)
            await uow.deadlines.lock_digest_chats(r.chat_id for r in recipients)
            sent = await uow.deadlines.digest_sent(
                (r.chat_id for r in recipients), slot.key, slot.digest_key, now - _LOOK_BACK
            )
            recipients = [r for r in recipients if r.chat_id not in sent]
            if not recipients:
                return False
            cache_key = (day_end, period_start, period_end)
            figures = cache.get(cache_key)
            if figures is None:
                figures = await uow.deadlines.digest_numbers(
                    now, day_end, period_start, period_end, centre_code
                )
                cache[cache_key] = figures
            params: JSONDict = {
                "digest_key": slot.digest_key,
                "date": slot.today.isoformat(),
                "period_start": slot.period_start.isoformat(),
                "period_end": (slot.period_end - timedelta(days=1)).isoformat(),  # inclusive
                **figures.params(),
            }
            if slot.key == DIGEST_WEEKLY:
                params["week"] = slot.marker
            for recipient in recipients:
                await self._writer.text(
                    uow,
                    recipient.chat_id,
                    slot.key,
                    now,
                    params=params,
                    locale=recipient.locale,
                    priority=Priority.NOTICE,
                )
        return True
