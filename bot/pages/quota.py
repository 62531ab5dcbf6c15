"""The weekly publication quota, enforced like a deadline.

- On the reminder day (Thursday by default, `PAGES_REMINDER_WEEKDAY`) at the reminder time
  (`PAGES_REMINDER_TIME`, else the digest time), in the page's organisation's time zone,
  each page is looked at once: below its pro-rata quota, its responsible official is told
  the count and what is missing. A holiday moves the moment to the next working one; the
  message is held until working hours like every alert. Looked at once means once: the
  decision is recorded (a `page_notices` key) in the same transaction as the message.
- On the first working day of the week at the digest time, each curator, deputy and
  manager gets the previous week's table, pages under quota first (once per reader/week).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import cast

from bot.deadlines.digests import DIGEST_ROLES, DIGEST_WEEKLY, digest_slots
from bot.pages.duties import page_owner
from bot.services.calendars import CalendarConfig, load_calendars
from bot.services.outbox_writer import OutboxWriter
from db.directory_snapshot import DirectorySnapshot
from db.outbox_repository import Priority
from db.pages_repository import PageView
from db.uow import UnitOfWork
from workflow.alerts import AlertPolicy, quiet_until
from workflow.calendar import WorkingCalendar
from workflow.calendars import Calendars
from workflow.effects import Addressee, Message
from workflow.model import Importance
from workflow.pages import (
    PagePolicy,
    QuotaState,
    expected_by,
    reminder_moment,
    week_bounds,
    week_start,
)

REMINDER_KEY = "pages.quota_reminder"
TABLE_KEY = "pages.week_table"
DEFAULT_TIME = time(9, 0)


async def week_state(
    uow: UnitOfWork, page: PageView, policy: PagePolicy, calendar: WorkingCalendar, monday: date
) -> QuotaState:
    """The page's count for the week of `monday`, its quota, and the whole-week share."""
    start, end = week_bounds(monday, calendar.tz)
    count = await uow.pages.count_posts(page.id, start, end)
    quota = policy.quota(page.kind, page.weekly_quota)
    return QuotaState(count, quota, quota)


def table_lines(rows: list[tuple[PageView, QuotaState]], directory: DirectorySnapshot) -> str:
    """One line a page, under quota first (the largest shortfall first)."""
    ordered = sorted(
        rows, key=lambda r: (r[1].met, r[1].count - r[1].quota, r[0].org_code, r[0].url)
    )
    lines = []
    for page, state in ordered:
        org = directory.organisation(page.org_code)
        mark = "✅" if state.met else "⚠️"
        name = page.title or page.url
        lines.append(
            f"{mark} {state.count}/{state.quota} · {org.name if org else page.org_code} · {name}"
        )
    return "\n".join(lines)


class QuotaNotices:
    def __init__(
        self,
        calendar_config: CalendarConfig,
        policy: PagePolicy,
        alert_policy: AlertPolicy,
        writer: OutboxWriter,
    ) -> None:
        self._config = calendar_config
        self._policy = policy
        self._alerts = alert_policy
        self._writer = writer

    @property
    def at(self) -> time:
        return self._policy.reminder_time or self._alerts.digest_time or DEFAULT_TIME

    async def reminders(self, uow: UnitOfWork, now: datetime) -> int:
        weekday = self._policy.reminder_weekday
        if weekday is None:
            return 0
        calendars = await load_calendars(uow.directory, self._config)
        directory = await uow.directory.snapshot()
        held: list[tuple[Message, datetime]] = []
        for page in await uow.pages.pages():
            calendar = cast(WorkingCalendar, calendars.for_org(page.org_code))
            monday = week_start(now, calendar.tz)
            moment = reminder_moment(monday, weekday, self.at, calendar)
            week_end = week_bounds(monday, calendar.tz)[1]
            if not moment <= now < week_end:
                continue
            if not await uow.pages.claim_notice(f"quota:{page.id}:{monday.isoformat()}", now):
                continue  # looked at this week already
            whole = await week_state(uow, page, self._policy, calendar, monday)
            today = now.astimezone(calendar.tz).date()
            state = QuotaState(
                whole.count, whole.quota, expected_by(whole.quota, monday, today, calendar)
            )
            if not state.below:
                continue
            params = {
                "page": page.title or page.url,
                "url": page.url,
                "org_code": page.org_code,
                "count": state.count,
                "quota": state.quota,
                "expected": state.expected,
                "missing": state.missing,
                "week": monday.isoformat(),
            }
            owner = page_owner(page, directory)
            until = quiet_until(calendar, now, Importance.NORMAL, self._alerts)
            held.append((Message(owner, REMINDER_KEY, params), until))
        if not held:
            return 0
        return len(await self._writer.held_messages(uow, held, now, priority=Priority.ACTION))

    async def tables(self, uow: UnitOfWork, now: datetime) -> int:
        """The previous week's table for each curator, deputy and manager, on the first
        working day of the week at the digest time (their own calendar)."""
        calendars = await load_calendars(uow.directory, self._config)
        directory = await uow.directory.snapshot()
        pages = await uow.pages.pages()
        if not pages:
            return 0
        policy = replace(self._alerts, digest_time=self.at, weekly_digest_weekday=0)
        rows: list[tuple[PageView, QuotaState]] | None = None
        messages: list[Message] = []
        for reader in directory.people_with_roles(DIGEST_ROLES):
            calendar = _calendar(calendars, reader.org_code)
            weekly = [s for s in digest_slots(now, calendar, policy) if s.key == DIGEST_WEEKLY]
            if not weekly or reader.telegram_id is None:
                continue
            slot = weekly[0]
            if not await uow.pages.claim_notice(f"table:{reader.id}:{slot.marker}", now):
                continue
            if rows is None:
                rows = [
                    (
                        page,
                        await week_state(
                            uow,
                            page,
                            self._policy,
                            _calendar(calendars, page.org_code),
                            slot.period_start,
                        ),
                    )
                    for page in pages
                ]
            under = sum(1 for _, state in rows if not state.met)
            params = {
                "week_start": slot.period_start.isoformat(),
                "week_end": (slot.period_start + timedelta(days=6)).isoformat(),
                "under": under,
                "total": len(rows),
                "table": table_lines(rows, directory),
            }
            messages.append(Message(Addressee.person(reader.id), TABLE_KEY, params))
        if not messages:
            return 0
        return len(await self._writer.messages(uow, messages, now, priority=Priority.NOTICE))


def _calendar(calendars: Calendars, org_code: str | None) -> WorkingCalendar:
    if org_code is None:
        return cast(WorkingCalendar, calendars.centre)
    return cast(WorkingCalendar, calendars.for_org(org_code))
