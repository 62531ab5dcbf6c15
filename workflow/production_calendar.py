"""The Russian production calendar (производственный календарь) as plain tables.

Per year with a Government decree, three tables:

- `DAYS_OFF[year]`: every non-working date other than an ordinary Saturday or Sunday —
  each non-working public holiday of Labour Code art. 112 whatever weekday it falls on
  (an office open on weekends closes on it too), each day off transferred by the decree,
  and each weekend holiday moved to the next working day (art. 112). For the five-day
  week the decree is written for, this equals `holidays.RU(years=year)`'s dates.
- `WORKING_WEEKENDS[year]`: Saturdays and Sundays the decree makes working days.
- `SHORTENED[year]`: working days one hour shorter (art. 95, pre-holiday days).

A year without a decree here falls back to the bare Labour Code rules
(`art112_year`); the calendar warns when it does. A new decree can be applied at once
through the configuration overrides (`workflow.calendar_overrides.CalendarOverrides`), then added
here with its tests in the next release.

Pure data and pure functions: no I/O, no wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Final

# Labour Code art. 112: the non-working public holidays, as (month, day).
NEW_YEAR_HOLIDAYS: Final[tuple[tuple[int, int], ...]] = tuple((1, day) for day in range(1, 9))
OTHER_HOLIDAYS: Final[tuple[tuple[int, int], ...]] = (
    (2, 23),  # Defender of the Fatherland Day
    (3, 8),  # International Women's Day
    (5, 1),  # Spring and Labour Day
    (5, 9),  # Victory Day
    (6, 12),  # Russia Day
    (11, 4),  # Unity Day
)
ART112_HOLIDAYS: Final[tuple[tuple[int, int], ...]] = NEW_YEAR_HOLIDAYS + OTHER_HOLIDAYS


def holidays_of(year: int) -> frozenset[date]:
    """The art. 112 non-working holidays of `year`, on whatever weekday they fall."""
    return frozenset(date(year, month, day) for month, day in ART112_HOLIDAYS)


def _on(year: int, *month_days: tuple[int, int]) -> frozenset[date]:
    return frozenset(date(year, month, day) for month, day in month_days)


DECREES: Final[dict[int, str]] = {
    2025: "Government decree No. 1335 of 04.10.2024",
    2026: "Government decree No. 1466 of 24.09.2025",
    2027: "Government decree No. 1187 of 17.09.2026",
}

DAYS_OFF: Final[dict[int, frozenset[date]]] = {
    2025: holidays_of(2025)
    | _on(
        2025,
        (5, 2),  # from Sat Jan 4
        (12, 31),  # from Sun Jan 5
        (5, 8),  # from Sun Feb 23
        (6, 13),  # from Sat Mar 8
        (11, 3),  # from Sat Nov 1
    ),
    2026: holidays_of(2026)
    | _on(
        2026,
        (1, 9),  # from Sat Jan 3
        (12, 31),  # from Sun Jan 4
        (3, 9),  # Sun Mar 8 moved to Monday (art. 112)
        (5, 11),  # Sat May 9 moved to Monday (art. 112)
    ),
    2027: holidays_of(2027)
    | _on(
        2027,
        (11, 5),  # from Sat Jan 2
        (12, 31),  # from Sun Jan 3
        (2, 22),  # from Sat Feb 20
        (5, 3),  # Sat May 1 moved to Monday (art. 112)
        (5, 10),  # Sun May 9 moved to Monday (art. 112)
        (6, 14),  # Sat Jun 12 moved to Monday (art. 112)
    ),
}

WORKING_WEEKENDS: Final[dict[int, frozenset[date]]] = {
    2025: _on(2025, (11, 1)),
    2026: frozenset(),
    2027: _on(2027, (2, 20)),
}

SHORTENED: Final[dict[int, frozenset[date]]] = {
    2025: _on(2025, (3, 7), (4, 30), (6, 11), (11, 1)),
    2026: _on(2026, (4, 30), (5, 8), (6, 11), (11, 3)),
    2027: _on(2027, (2, 20), (4, 30), (6, 11), (11, 3)),
}

DECREE_YEARS: Final[frozenset[int]] = frozenset(DECREES)


@dataclass(frozen=True, slots=True)
class YearCalendar:
    """One year's exceptions to the plain Mon–Fri week; `decree` is None for the fallback."""

    year: int
    days_off: frozenset[date]
    working_weekends: frozenset[date]
    shortened: frozenset[date]
    decree: str | None

    def is_working_day(self, day: date) -> bool:
        """Working status for the five-day week the decrees are written for."""
        if day in self.days_off:
            return False
        return day.weekday() < 5 or day in self.working_weekends


def decree_year(year: int) -> YearCalendar | None:
    """The tables of `year` if its decree is known here, else None."""
    if year not in DECREES:
        return None
    return YearCalendar(
        year=year,
        days_off=DAYS_OFF[year],
        working_weekends=WORKING_WEEKENDS[year],
        shortened=SHORTENED[year],
        decree=DECREES[year],
    )


@lru_cache(maxsize=64)
def art112_year(year: int) -> YearCalendar:
    """The bare Labour Code rules for a year with no decree data.

    - art. 112 holidays are days off;
    - a holiday other than the January ones that falls on a Saturday or Sunday moves to
      the next working day (the January ones only ever move by decree, which is missing);
    - art. 95: the working day immediately before a holiday is one hour shorter
      (as the decrees do: a Monday holiday does not shorten the Friday before it).
    """
    holidays = holidays_of(year)
    days_off = set(holidays)
    for month, day in OTHER_HOLIDAYS:
        holiday = date(year, month, day)
        if holiday.weekday() < 5:
            continue
        moved = holiday + timedelta(days=1)
        while moved.weekday() >= 5 or moved in days_off:
            moved += timedelta(days=1)
        days_off.add(moved)
    # Dec 31 precedes next year's Jan 1.
    before_holidays = {day - timedelta(days=1) for day in holidays} | {date(year, 12, 31)}
    shortened = {
        day
        for day in before_holidays
        if day.year == year and day.weekday() < 5 and day not in days_off
    }
    return YearCalendar(
        year=year,
        days_off=frozenset(days_off),
        working_weekends=frozenset(),
        shortened=frozenset(shortened),
        decree=None,
    )
