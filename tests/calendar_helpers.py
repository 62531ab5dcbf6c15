"""Time zones, calendars and moment builders shared by the WorkingCalendar example tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from workflow.calendar import WorkingCalendar

MSK = ZoneInfo("Europe/Moscow")  # UTC+3

NSK = ZoneInfo("Asia/Novosibirsk")  # UTC+7

BERLIN = ZoneInfo("Europe/Berlin")  # DST: Mar 30 and Oct 26 2025

H = timedelta(hours=1)

M = timedelta(minutes=1)

MOSCOW = WorkingCalendar.russian("Europe/Moscow")

NOVOSIBIRSK = WorkingCalendar.russian("Asia/Novosibirsk")


def msk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=MSK)  # type: ignore[misc]


def nsk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NSK)  # type: ignore[misc]
