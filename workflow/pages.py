"""Official pages (госпаблики): kinds, quotas, the working week, the duties' clocks (pure).

The seeds that govern the pages (000, 001, 002, 004 and Appendix 2 of 003) ask for a number
of publications a week per page (3, 5 or 10), reports of a created or deleted page within
2 working days to the information sector and 3 to the regional centre (001 п.3.3.2,
п.3.2.4), and the removal of a departed person from a page's administrators (001 п.3).
Everything here is a value or a function of values: no clock, no I/O.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from workflow.calendars import Calendar


class Network(StrEnum):
    VK = "vk"
    OK = "ok"
    TELEGRAM = "telegram"


class PageKind(StrEnum):
    HEAD = "head"  # the head's page (003 App. 2 п.5: 5 a week)
    ADMINISTRATION = "administration"  # the administration's (003 App. 2 п.5: 10 a week)
    ORGANISATION = "organisation"  # an organisation's (000 п.8, 001 п.4: 3 a week)
    # The regional centres' categories.
    FLAGSHIP = "flagship"  # флагманский
    ACTIVE = "active"  # активный
    CARD = "card"  # визитка


DEFAULT_QUOTAS: dict[PageKind, int] = {
    PageKind.HEAD: 5,
    PageKind.ADMINISTRATION: 10,
    PageKind.ORGANISATION: 3,
    PageKind.FLAGSHIP: 10,
    PageKind.ACTIVE: 5,
    PageKind.CARD: 3,
}


class DutyKind(StrEnum):
    REPORT_SECTOR = "report_sector"  # 001 п.3.3.2: to the information sector, 2 working days
    REPORT_REGION = "report_region"  # 001 п.3.2.4: to the regional centre, 3 working days
    REMOVE_ADMIN = "remove_admin"  # 001 п.3: a departed person off the page's administrators


class PageChange(StrEnum):
    CREATED = "created"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class DutyLengths:
    """Working days per duty; configuration, with the seeds' numbers as the default."""

    report_sector: int = 2
    report_region: int = 3
    remove_admin: int = 1

    def __post_init__(self) -> None:
        for name in ("report_sector", "report_region", "remove_admin"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least one working day")

    def days(self, kind: DutyKind) -> int:
        return int(getattr(self, kind.value))


@dataclass(frozen=True, slots=True)
class PagePolicy:
    """The pages' configuration: quotas by kind, the reminder's day and time (None: the
    digest time), the duties' lengths."""

    quotas: tuple[tuple[PageKind, int], ...] = tuple(DEFAULT_QUOTAS.items())
    reminder_weekday: int | None = 3  # Thursday; None: no reminder
    reminder_time: time | None = None
    lengths: DutyLengths = DutyLengths()

    def quota(self, kind: PageKind, own: int | None) -> int:
        """A page's own quota, else its kind's."""
        if own is not None:
            return own
        return dict(self.quotas).get(kind, DEFAULT_QUOTAS[kind])


class WorkingDays(Protocol):
    tz: ZoneInfo

    def is_working_day(self, day: date) -> bool: ...

    def add_working_days(self, start: datetime, days: int) -> datetime: ...

    def next_working_moment(self, moment: datetime) -> datetime: ...


def duty_due(
    calendar: WorkingDays, started: datetime, kind: DutyKind, lengths: DutyLengths
) -> datetime:
    """The closing of the N-th working day after the day it started ("within N working
    days of the creation or deletion": the day itself is not counted)."""
    return calendar.add_working_days(started, lengths.days(kind))


def duty_reminder_at(
    calendar: Calendar, started: datetime, due: datetime, share: float | None
) -> datetime:
    """When `share` of the duty's working time is gone (as for any deadline's reminder);
    the due moment itself when reminders are off."""
    if share is None:
        return due
    return calendar.add(started, calendar.elapsed(started, due) * share)


# --- the working week -------------------------------------------------------------------------


def week_start(moment: datetime, tz: ZoneInfo) -> date:
    """The Monday of the local week (Monday–Sunday) that holds `moment`."""
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def week_bounds(monday: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Local Monday 00:00 to the next Monday 00:00, as aware datetimes."""
    start = datetime.combine(monday, time(0), tzinfo=tz)
    return start, datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz)


def expected_by(quota: int, monday: date, today: date, calendar: WorkingDays) -> int:
    """The pro-rata share of the week's quota due before `today`: the quota times the
    working days of the week already gone over all of the week's working days, rounded up."""
    days = [monday + timedelta(days=offset) for offset in range(7)]
    working = [day for day in days if calendar.is_working_day(day)] or days[:5]
    gone = sum(1 for day in working if day < today)
    return math.ceil(quota * gone / len(working))


@dataclass(frozen=True, slots=True)
class QuotaState:
    count: int
    quota: int
    expected: int

    @property
    def below(self) -> bool:
        return self.count < self.expected

    @property
    def missing(self) -> int:
        """Publications still needed to meet the whole week's quota."""
        return max(self.quota - self.count, 0)

    @property
    def met(self) -> bool:
        return self.count >= self.quota


def reminder_moment(monday: date, weekday: int, at: time, calendar: WorkingDays) -> datetime:
    """When this week's reminder is due: the configured weekday at `at`, local time; on a
    non-working day (a holiday), the next working moment after it (quiet hours)."""
    moment = datetime.combine(monday + timedelta(days=weekday), at, tzinfo=calendar.tz)
    return calendar.next_working_moment(moment)


# --- links ------------------------------------------------------------------------------------

_VK_CLUB = re.compile(r"^/(?:club|public|event)(\d+)/?$")
_VK_WALL = re.compile(r"^/wall-(\d+)_\d+")


def normalise_url(url: str) -> str:
    """One spelling of a page's link: https, no "www." or "m.", no trailing slash."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.").removeprefix("m.")
    path = parts.path.rstrip("/")
    return f"https://{host}{path}"


def network_of(url: str) -> Network | None:
    host = urlsplit(url.strip()).netloc.lower().removeprefix("www.").removeprefix("m.")
    if host in ("vk.com", "vk.ru", "vkontakte.ru"):
        return Network.VK
    if host in ("ok.ru", "odnoklassniki.ru"):
        return Network.OK
    if host in ("t.me", "telegram.me"):
        return Network.TELEGRAM
    return None


def vk_group_of(url: str) -> int | None:
    """The community id a VK link names (vk.com/club123, a wall post of -123), if any."""
    path = urlsplit(url.strip()).path
    found = _VK_CLUB.match(path) or _VK_WALL.match(path)
    return int(found.group(1)) if found else None


def telegram_name_of(url: str) -> str | None:
    """The channel's public name in a t.me link, lower case."""
    if network_of(url) is not Network.TELEGRAM:
        return None
    parts = [part for part in urlsplit(url.strip()).path.split("/") if part]
    return parts[0].lower() if parts and parts[0] not in ("c", "s", "+") else None


def belongs_to(post_url: str, page_url: str, vk_group_id: int | None) -> bool:
    """Whether a publication's link lies on the page (the `/posted` check)."""
    post, page = normalise_url(post_url), normalise_url(page_url)
    if post == page or post.startswith(page + "/") or post.startswith(page + "?"):
        return True
    if network_of(post_url) is Network.VK and vk_group_id is not None:
        return vk_group_of(post_url) == vk_group_id or f"wall-{vk_group_id}_" in post_url
    name = telegram_name_of(page_url)
    return name is not None and telegram_name_of(post_url) == name
