"""Report periods: this week, last month, a quarter, or dates typed as `01.11.2026–30.11.2026`.

A period is a span of local dates, both ends included, in the reader's (the centre's) zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class PeriodChoice(StrEnum):
    THIS_WEEK = "tw"
    LAST_WEEK = "lw"
    THIS_MONTH = "tm"
    LAST_MONTH = "lm"
    THIS_QUARTER = "tq"
    LAST_QUARTER = "lq"


class PeriodError(ValueError):
    """A typed period that cannot be read; `code` names the catalogue text."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


MAX_PERIOD_DAYS = 366 * 2  # a longer report is a mistake in the typed dates, not a wish


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date  # included

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError("period.reversed")
        if (self.last - self.first).days >= MAX_PERIOD_DAYS:
            raise PeriodError("period.too_long")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def end(self) -> date:
        """The day after the last: the exclusive end."""
        return self.last + timedelta(days=1)

    def previous(self) -> Period:
        """The period before, of the same kind: the month before a whole month, the quarter
        before a whole quarter, else as many days just before."""
        if self.first.day == 1 and self.end.day == 1:
            months = _months_between(self.first, self.end)
            first = _add_months(self.first, -months)
            return Period(first, self.first - timedelta(days=1))
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def label(self) -> str:
        return f"{self.first:%d.%m.%Y}–{self.last:%d.%m.%Y}"

    def weeks(self) -> list[date]:
        """The Mondays of the weeks the period touches (for the weekly trend)."""
        monday = self.first - timedelta(days=self.first.weekday())
        result = []
        while monday <= self.last:
            result.append(monday)
            monday += timedelta(days=7)
        return result


def _months_between(first: date, end: date) -> int:
    return (end.year - first.year) * 12 + end.month - first.month


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    return Period(first, _add_months(first, 1) - timedelta(days=1))


def quarter_of(day: date) -> Period:
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period(first, _add_months(first, 3) - timedelta(days=1))


def period_for(choice: PeriodChoice, today: date) -> Period:
    """The chosen period around `today` (a running one ends today)."""
    monday = today - timedelta(days=today.weekday())
    if choice is PeriodChoice.THIS_WEEK:
        return Period(monday, today)
    if choice is PeriodChoice.LAST_WEEK:
        return Period(monday - timedelta(days=7), monday - timedelta(days=1))
    if choice is PeriodChoice.THIS_MONTH:
        return Period(today.replace(day=1), today)
    if choice is PeriodChoice.LAST_MONTH:
        return month_of(today.replace(day=1) - timedelta(days=1))
    quarter = quarter_of(today)
    if choice is PeriodChoice.THIS_QUARTER:
        return Period(quarter.first, today)
    return quarter_of(quarter.first - timedelta(days=1))


_DATE = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"
_RANGE = re.compile(rf"^\s*{_DATE}\s*(?:[-–—]|\.\.)\s*{_DATE}\s*$")


def parse_period(text: str) -> Period:
    """`01.11.2026–30.11.2026` (a hyphen, en or em dash, or `..` between the dates)."""
    found = _RANGE.match(text)
    if found is None:
        raise PeriodError("period.bad_format")
    d1, m1, y1, d2, m2, y2 = (int(part) for part in found.groups())
    try:
        first, last = date(y1, m1, d1), date(y2, m2, d2)
    except ValueError:
        raise PeriodError("period.bad_date") from None
    return Period(first, last)
