"""Dates whose working status the configuration sets outright (`CalendarOverrides`).

A new decree can be applied through these at once, before the built-in tables of
`workflow.production_calendar` learn it. Pure: no I/O, no wall clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["CalendarOverrides"]


def _dates(values: Iterable[date]) -> frozenset[date]:
    result = frozenset(values)
    for value in result:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValueError(f"calendar overrides take dates, got {value!r}")
    return result


@dataclass(frozen=True, slots=True)
class CalendarOverrides:
    """Dates whose status the configuration sets outright, winning over the built-in tables.

    - `days_off`: not working;
    - `working_days`: a full working day (even a Saturday or a holiday);
    - `shortened_days`: a working day one hour short (a date here need not also be listed
      in `working_days`).

    A date that is listed in `days_off` and in one of the others is a contradiction and
    raises `ValueError`. Listing a date in `working_days` only also un-shortens a built-in
    shortened day.
    """

    days_off: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()
    shortened_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        # Accept any iterable of dates, keep frozensets: the overrides are hashable.
        for name in ("days_off", "working_days", "shortened_days"):
            object.__setattr__(self, name, _dates(getattr(self, name)))
        clash = self.days_off & (self.working_days | self.shortened_days)
        if clash:
            listed = ", ".join(day.isoformat() for day in sorted(clash))
            raise ValueError(f"dates both days off and working days in the overrides: {listed}")

    def __contains__(self, day: object) -> bool:
        return day in self.days_off or day in self.working_days or day in self.shortened_days
