"""Morning and weekly digests for the curators and the managers.

Every working morning (`AlertPolicy.digest_time`, 09:00 by default, in each reader's own
time zone and only on the working days of the reader's calendar) each curator, deputy and
manager gets `digest.daily`: open incidents, answers due today, what is overdue by
organisation, and how the deadlines that fell due on the previous working day ended. On the
first working day of the week (Monday unless it is a holiday) `digest.weekly` follows with the
same for the whole previous week.

Sending is idempotent per reader and day (week): the row carries a `digest_key`, and before
writing one the sender looks for an outbox row of the same key and chat, under a lock on the
reader's row (PostgreSQL) or the database's write lock (SQLite), so two bot processes do not
both send it. A digest that could not go out within `digest_catch_up` of its time (the bot
was down all morning) is skipped rather than sent in the afternoon.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import and_, case, false, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.calendars import CalendarConfig, load_calendars
from db import directory_queries as directory
from db.directory_queries import PersonView
from db.models import DeadlineRow, IncidentRow, OutboxRow, Person
from workflow.alerts import AlertPolicy
from workflow.calendar import WorkingCalendar
from workflow.effects import JSONDict
from workflow.model import ANSWER_DEADLINE_KINDS, OPEN_STATUSES, DeadlineState, Party
from workflow.roles import Role

log = logging.getLogger(__name__)

DIGEST_DAILY = "digest.daily"
DIGEST_WEEKLY = "digest.weekly"
DIGEST_ROLES: tuple[Role, ...] = (Role.CURATOR, Role.DEPUTY_CURATOR, Role.MANAGER)
_LOOK_BACK = timedelta(days=8)  # how far back an earlier copy of a digest is looked for
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


# --- what (queries) ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestNumbers:
    open: int  # incidents not answered or closed
    due_today: int  # answer deadlines still ahead today (reader's day)
    overdue_answers: int  # incidents whose answer deadline has passed
    overdue_by_org: tuple[tuple[str | None, int], ...]  # incidents late per organisation
    met: int  # deadlines due in the period that were met in time
    missed: int  # deadlines due in the period met late or still running
    detected: int  # incidents detected in the period

    def params(self) -> JSONDict:
        return {
            "open": self.open,
            "due_today": self.due_today,
            "overdue_answers": self.overdue_answers,
            "overdue_by_org": [
                {"org_code": code, "overdue": count} for code, count in self.overdue_by_org
            ],
            "met": self.met,
            "missed": self.missed,
            "detected": self.detected,
        }


def _local_midnight(day: date, calendar: WorkingCalendar) -> datetime:
    return datetime.combine(day, time(0), tzinfo=calendar.tz)


async def digest_numbers(
    session: AsyncSession,
    now: datetime,
    day_end: datetime,
    period_start: datetime,
    period_end: datetime,
    centre_code: str | None,
) -> DigestNumbers:
    """The digest's figures: open and late now; met and missed among what fell due in the
    period. The centre's own late clocks (routing, reviews) count under `centre_code`."""
    running = DeadlineRow.state == DeadlineState.RUNNING
    answer = DeadlineRow.kind.in_(list(ANSWER_DEADLINE_KINDS))
    open_count = await session.scalar(
        select(func.count()).select_from(IncidentRow).where(IncidentRow.status.in_(OPEN_STATUSES))
    )
    due_today = await session.scalar(
        select(func.count()).where(
            running, answer, DeadlineRow.due_at >= now, DeadlineRow.due_at < day_end
        )
    )
    overdue_answers = await session.scalar(
        select(func.count(func.distinct(DeadlineRow.incident_id))).where(
            running, answer, DeadlineRow.due_at < now
        )
    )
    who = case(
        (DeadlineRow.party == Party.CENTRE, literal(centre_code)), else_=DeadlineRow.org_code
    )
    by_org = await session.execute(
        select(who, func.count(func.distinct(DeadlineRow.incident_id)))
        .where(running, DeadlineRow.due_at < now, DeadlineRow.party != Party.EVERYONE)
        .group_by(who)
    )
    overdue_by_org = tuple(
        sorted(
            ((code, int(count)) for code, count in by_org),
            key=lambda item: (-item[1], item[0] or ""),
        )
    )
    on_time = and_(
        DeadlineRow.state == DeadlineState.MET, DeadlineRow.ended_at <= DeadlineRow.due_at
    )
    ended = (
        await session.execute(
            select(func.count(), func.sum(case((on_time, 1), else_=0))).where(
                DeadlineRow.state != DeadlineState.CANCELLED,
                DeadlineRow.due_at >= period_start,
                DeadlineRow.due_at < period_end,
            )
        )
    ).one()
    detected = await session.scalar(
        select(func.count())
        .select_from(IncidentRow)
        .where(IncidentRow.detected_at >= period_start, IncidentRow.detected_at < period_end)
    )
    total, met = int(ended[0] or 0), int(ended[1] or 0)
    return DigestNumbers(
        open=int(open_count or 0),
        due_today=int(due_today or 0),
        overdue_answers=int(overdue_answers or 0),
        overdue_by_org=overdue_by_org,
        met=met,
        missed=total - met,
        detected=int(detected or 0),
    )


# --- the sender -------------------------------------------------------------------------------


async def _lock_reader(session: AsyncSession, person_id: int) -> None:
    """Serialise two senders deciding about the same reader."""
    if session.get_bind().dialect.name == "sqlite":
        # A write that changes nothing still takes SQLite's write lock, before we read.
        await session.execute(
            update(Person)
            .where(false())
            .values(active=Person.active)
            .execution_options(synchronize_session=False)
        )
    else:
        await session.execute(select(Person.id).where(Person.id == person_id).with_for_update())


async def _already_sent(
    session: AsyncSession, chat_id: int, slot: DigestSlot, now: datetime
) -> bool:
    rows = await session.execute(
        select(OutboxRow.params).where(
            OutboxRow.chat_id == chat_id,
            OutboxRow.key == slot.key,
            OutboxRow.created_at >= now - _LOOK_BACK,
        )
    )
    return any((params or {}).get("digest_key") == slot.digest_key for params in rows.scalars())


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
        self._default_locale = default_locale
        self._sent: set[tuple[int, str]] = set()  # (chat, digest_key) known to be out

    async def run(self) -> int:
        """Write the digests due now that are not out yet; returns how many were written."""
        now = self._clock.now()
        if self.policy.digest_time is None:
            return 0
        async with self._sessions() as session:
            calendars = await load_calendars(session, self._calendar_config)
            readers = await directory.people_with_roles(session, DIGEST_ROLES)
            centre_code = next(
                (org.code for org in await directory.organisations(session) if org.is_centre), None
            )
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
                if (reader.telegram_id, slot.digest_key) in self._sent:
                    continue
                if await self._send(reader, slot, calendar, now, centre_code, numbers):
                    written += 1
                self._sent.add((reader.telegram_id, slot.digest_key))
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
        chat_id = cast(int, reader.telegram_id)
        day_end = _local_midnight(slot.today + timedelta(days=1), calendar)
        period_start = _local_midnight(slot.period_start, calendar)
        period_end = _local_midnight(slot.period_end, calendar)
        async with self._sessions() as session, session.begin():
            await _lock_reader(session, reader.id)
            if await _already_sent(session, chat_id, slot, now):
                return False
            cache_key = (day_end, period_start, period_end)
            figures = cache.get(cache_key)
            if figures is None:
                figures = await digest_numbers(
                    session, now, day_end, period_start, period_end, centre_code
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
            session.add(
                OutboxRow(
                    chat_id=chat_id,
                    kind="message",
                    incident_id=None,
                    key=slot.key,
                    params=params,
                    locale=reader.locale or self._default_locale,
                    state="pending",
                    not_before=now,
                    attempts=0,
                    created_at=now,
                )
            )
        return True
