"""Office hours: one day's hours (`OfficeHours`) and a week of them (`WeeklySchedule`).

The text form the configuration and the directory use (`WeeklySchedule.parse`) is read
here too; `workflow.calendar` puts these hours on the working days of the calendar.

Pure: no I/O, no wall clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

__all__ = ["DAY_NAMES", "OfficeHours", "WeeklySchedule"]

_ZERO: Final = timedelta(0)


def _hhmm(moment: time) -> str:
    return moment.strftime("%H:%M") if not moment.second else moment.strftime("%H:%M:%S")


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """One day's hours, local wall time, with an optional break: start < break < end."""

    start: time
    end: time
    break_start: time | None = None
    break_end: time | None = None

    def __post_init__(self) -> None:
        for moment in (self.start, self.end, self.break_start, self.break_end):
            if moment is not None and moment.tzinfo is not None:
                raise ValueError("office hours are local wall times: no tzinfo on them")
        if not self.start < self.end:
            raise ValueError(
                f"office hours must start before they end: {_hhmm(self.start)}-{_hhmm(self.end)}"
                " (hours across midnight are not supported; use the 24/7 calendar)"
            )
        if (self.break_start is None) != (self.break_end is None):
            raise ValueError("a break needs both a start and an end")
        if (
            self.break_start is not None
            and self.break_end is not None
            and not self.start < self.break_start < self.break_end < self.end
        ):
            raise ValueError(
                f"the break {_hhmm(self.break_start)}-{_hhmm(self.break_end)} must lie"
                f" inside the office hours {_hhmm(self.start)}-{_hhmm(self.end)}"
            )

    def spans(self) -> tuple[tuple[time, time], ...]:
        """The working spans of the day: one, or two around the break."""
        if self.break_start is None or self.break_end is None:
            return ((self.start, self.end),)
        return ((self.start, self.break_start), (self.break_end, self.end))

    @property
    def length(self) -> timedelta:
        """Working time on a plain day (wall-clock; a DST change inside the hours aside)."""
        day = date.min
        return sum(
            (datetime.combine(day, b) - datetime.combine(day, a) for a, b in self.spans()), _ZERO
        )

    def __str__(self) -> str:
        text = f"{_hhmm(self.start)}-{_hhmm(self.end)}"
        if self.break_start is not None and self.break_end is not None:
            text += f" break {_hhmm(self.break_start)}-{_hhmm(self.break_end)}"
        return text


DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES: Final[dict[str, int]] = {
    **{name: index for index, name in enumerate(DAY_NAMES)},
    **{
        name: index
        for index, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    **{name: index for index, name in enumerate(("пн", "вт", "ср", "чт", "пт", "сб", "вс"))},
}
_BREAK_WORDS: Final = frozenset({"break", "перерыв"})
_OFF_WORDS: Final = frozenset({"off", "closed", "выходной"})
_TIME_RE: Final = re.compile(r"(\d{1,2}):(\d{2})")
_SEPARATOR_RE: Final = re.compile(r"\s*([,\-–—])\s*")
_GRAMMAR_HINT: Final = '"DAYS HH:MM-HH:MM [break HH:MM-HH:MM]" or "DAYS off"'


def _parse_time(text: str) -> time:
    match = _TIME_RE.fullmatch(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f'bad time "{text}": expected HH:MM between 00:00 and 23:59')
    return time(int(match[1]), int(match[2]))


def _parse_span(text: str) -> tuple[time, time]:
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(f'bad time span "{text}": expected HH:MM-HH:MM, e.g. 09:00-18:00')
    return _parse_time(parts[0]), _parse_time(parts[1])


def _parse_day(name: str) -> int:
    try:
        return _DAY_ALIASES[name]
    except KeyError:
        raise ValueError(f'unknown day "{name}": use {", ".join(DAY_NAMES)} (or пн … вс)') from None


def _parse_days(text: str) -> list[int]:
    weekdays: list[int] = []
    for part in text.split(","):
        ends = part.split("-")
        if len(ends) == 1:
            weekdays.append(_parse_day(ends[0]))
        elif len(ends) == 2:
            first, last = _parse_day(ends[0]), _parse_day(ends[1])
            if first > last:
                raise ValueError(f'day range "{part}" runs backwards: write e.g. "mon-fri"')
            weekdays.extend(range(first, last + 1))
        else:
            raise ValueError(f'bad day range "{part}": expected e.g. "mon-fri"')
    return weekdays


def _parse_group(group: str) -> tuple[list[int], OfficeHours | None]:
    words = group.split()
    weekdays = _parse_days(words[0])
    rest = words[1:]
    if len(rest) == 1 and rest[0] in _OFF_WORDS:
        return weekdays, None
    if len(rest) == 1:
        return weekdays, OfficeHours(*_parse_span(rest[0]))
    if len(rest) == 3 and rest[1] in _BREAK_WORDS:
        start, end = _parse_span(rest[0])
        break_start, break_end = _parse_span(rest[2])
        return weekdays, OfficeHours(start, end, break_start, break_end)
    raise ValueError(f'cannot read "{group}": expected {_GRAMMAR_HINT}')


@dataclass(frozen=True, slots=True)
class WeeklySchedule(Mapping[int, OfficeHours | None]):
    """Office hours per weekday (0 = Monday … 6 = Sunday); None is a day off.

    Text form, for the configuration (`WeeklySchedule.parse`, `str(schedule)`)::

        schedule := group (";" group)*
        group    := days " " hours [" break " hours]  |  days " off"
        days     := day ["-" day] ("," day ["-" day])*
        day      := mon | tue | wed | thu | fri | sat | sun   (also monday…, пн … вс)
        hours    := HH:MM "-" HH:MM                             (00:00 … 23:59)

    e.g. ``mon-fri 09:00-18:00 break 13:00-14:00`` (the default) or
    ``mon-thu 09:00-18:00 break 13:00-14:00; fri 09:00-16:45 break 13:00-14:00``.
    Case and spaces around "-" and "," do not matter; "перерыв" may stand for "break",
    "выходной" or "closed" for "off". Weekdays not named are days off. A weekday named
    twice, a range running backwards (fri-mon), hours across midnight, a break outside
    the hours or a week without a working day raise `ValueError` saying what is wrong.
    """

    days: tuple[OfficeHours | None, ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError(f"a week has 7 days, got {len(self.days)}")
        for hours in self.days:
            if hours is not None and not isinstance(hours, OfficeHours):
                raise ValueError(f"expected OfficeHours or None per weekday, got {hours!r}")
        if all(hours is None for hours in self.days):
            raise ValueError("the office hours have no working day")

    @classmethod
    def weekdays(
        cls,
        start: time,
        end: time,
        break_start: time | None = None,
        break_end: time | None = None,
    ) -> WeeklySchedule:
        """The same hours Monday to Friday, weekends off."""
        hours = OfficeHours(start, end, break_start, break_end)
        return cls((hours,) * 5 + (None, None))

    @classmethod
    def default(cls) -> WeeklySchedule:
        """Mon–Fri 09:00–18:00, break 13:00–14:00."""
        return cls.weekdays(time(9), time(18), time(13), time(14))

    @classmethod
    def of(cls, hours: Mapping[int, OfficeHours | None]) -> WeeklySchedule:
        """From a mapping weekday -> hours; weekdays missing from it are days off."""
        unknown = set(hours) - set(range(7))
        if unknown:
            raise ValueError(f"weekdays are 0 (Monday) … 6 (Sunday), got {sorted(unknown)}")
        return cls(tuple(hours.get(weekday) for weekday in range(7)))

    @classmethod
    def parse(cls, text: str) -> WeeklySchedule:
        """Read the text form described in the class docstring."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"office hours are empty: expected {_GRAMMAR_HINT}")
        normal = _SEPARATOR_RE.sub(
            lambda match: "," if match[1] == "," else "-", text.strip().lower()
        )
        days: list[OfficeHours | None] = [None] * 7
        named: set[int] = set()
        groups = [group.strip() for group in normal.split(";") if group.strip()]
        if not groups:
            raise ValueError(f"office hours are empty: expected {_GRAMMAR_HINT}")
        for group in groups:
            weekdays, hours = _parse_group(group)
            for weekday in weekdays:
                if weekday in named:
                    raise ValueError(f"{DAY_NAMES[weekday]} is given twice")
                named.add(weekday)
                days[weekday] = hours
        return cls(tuple(days))

    @property
    def default_hours(self) -> OfficeHours:
        """The hours of a working weekend day: Monday's, or the first weekday with hours."""
        return next(hours for hours in self.days if hours is not None)

    def __getitem__(self, weekday: int) -> OfficeHours | None:
        if not 0 <= weekday <= 6:
            raise KeyError(weekday)
        return self.days[weekday]

    def __iter__(self) -> Iterator[int]:
        return iter(range(7))

    def __len__(self) -> int:
        return 7

    def __str__(self) -> str:
        groups: list[str] = []
        weekday = 0
        while weekday < 7:
            hours = self.days[weekday]
            last = weekday
            while last + 1 < 7 and self.days[last + 1] == hours:
                last += 1
            if hours is not None:
                names = DAY_NAMES[weekday]
                if last > weekday:
                    names += f"-{DAY_NAMES[last]}"
                groups.append(f"{names} {hours}")
            weekday = last + 1
        return "; ".join(groups)
