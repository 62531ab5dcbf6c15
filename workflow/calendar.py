"""Working time: office hours, the Russian production calendar and the office's time zone.

Every deadline of the workflow runs in working time. A `WorkingCalendar` answers how
much working time lies between two moments and when a given amount of it runs out.

- `WorkingCalendar.russian(tz, schedule, overrides)`: the office's weekly hours
  (`WeeklySchedule`, default Mon–Fri 09:00–18:00 with a 13:00–14:00 break) on the
  working days of the Russian production calendar (`workflow.production_calendar`:
  holidays, transferred days off, working weekend days, shortened pre-holiday days),
  with `CalendarOverrides` from the configuration on top.
- `WorkingCalendar.always(tz)`: 24/7, every moment is working time.

Conventions:

- A working interval is half-open, [opening, closing): 18:00 itself is not working time,
  but `add` that runs out exactly at 18:00 returns 18:00, not the next morning.
- A working weekend day (a Saturday the decree or the overrides make working) keeps the
  schedule's hours for that weekday if it has any, else takes the schedule's
  `default_hours`: Monday's, or the first weekday that has hours.
- A shortened day loses its last hour of working time (from the end, across the break
  if the afternoon is shorter than an hour).
- Every result is an aware datetime in the calendar's time zone; arithmetic is exact
  to the microsecond and correct across DST changes (moments are counted in UTC).
- A year with no decree data follows the bare Labour Code rules and logs a warning once
  per year per process.

Pure: no I/O, no wall clock.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflow import production_calendar
from workflow.production_calendar import YearCalendar

__all__ = [
    "CalendarOverrides",
    "OfficeHours",
    "WeeklySchedule",
    "WorkingCalendar",
]

log = logging.getLogger(__name__)

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_US: Final = timedelta(microseconds=1)
_ZERO: Final = timedelta(0)
_HOUR_US: Final = 3_600_000_000
_SHORTENED_BY_US: Final = _HOUR_US  # Labour Code art. 95

# Years for which the art. 112 fallback was announced in this process.
_WARNED_YEARS: set[int] = set()

# One day's working intervals as UTC microseconds since the epoch: (total, ((a, b), ...)).
_Plan = tuple[int, tuple[tuple[int, int], ...]]
_DAY_OFF: Final[_Plan] = (0, ())


def _to_us(moment: datetime) -> int:
    return (moment - _EPOCH) // _US


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {moment!r}")


def _require_not_negative(duration: timedelta) -> None:
    if duration < _ZERO:
        raise ValueError(f"duration must not be negative, got {duration!r}")


# ---------------------------------------------------------------------------------------
# Office hours


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


_DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES: Final[dict[str, int]] = {
    **{name: index for index, name in enumerate(_DAY_NAMES)},
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
        raise ValueError(
            f'unknown day "{name}": use {", ".join(_DAY_NAMES)} (or пн … вс)'
        ) from None


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
                    raise ValueError(f"{_DAY_NAMES[weekday]} is given twice")
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
                names = _DAY_NAMES[weekday]
                if last > weekday:
                    names += f"-{_DAY_NAMES[last]}"
                groups.append(f"{names} {hours}")
            weekday = last + 1
        return "; ".join(groups)


# ---------------------------------------------------------------------------------------
# Configuration overrides


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


_NO_OVERRIDES: Final = CalendarOverrides()


# ---------------------------------------------------------------------------------------
# The calendar


def _year_calendar(year: int) -> YearCalendar:
    known = production_calendar.decree_year(year)
    if known is not None:
        return known
    if year not in _WARNED_YEARS:
        _WARNED_YEARS.add(year)
        log.warning(
            "No production-calendar decree data for %d: working days follow the bare Labour"
            " Code rules (art. 112 holidays, weekend holidays moved to the next working day,"
            " art. 95 shortened pre-holiday days), without the decree's transfers. Add the"
            " %d decree's dates to the configuration (CALENDAR_EXTRA_DAYS_OFF,"
            " CALENDAR_EXTRA_WORKING_DAYS, CALENDAR_EXTRA_SHORTENED_DAYS) and to"
            " workflow/production_calendar.py.",
            year,
            year,
        )
    return production_calendar.art112_year(year)


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"unknown time zone {tz!r}: expected an IANA name such as Europe/Moscow"
        ) from error


def _cut_from_end(intervals: list[tuple[int, int]], amount: int) -> list[tuple[int, int]]:
    """Drop `amount` microseconds of working time from the end of the day."""
    kept = list(intervals)
    while kept and amount > 0:
        a, b = kept.pop()
        if b - a > amount:
            kept.append((a, b - amount))
        amount -= b - a
    return kept


@dataclass(slots=True, eq=False, repr=False)
class WorkingCalendar:
    """Working time of one office. Build it with `russian` or `always`.

    Keeps a per-date cache of working intervals, so each calendar object should live as
    long as the process (one per distinct office configuration).
    """

    tz: ZoneInfo
    schedule: WeeklySchedule
    overrides: CalendarOverrides
    around_the_clock: bool
    _days: dict[int, _Plan] = field(default_factory=dict)

    @classmethod
    def russian(
        cls,
        tz: str | ZoneInfo,
        schedule: WeeklySchedule | None = None,
        overrides: CalendarOverrides | None = None,
    ) -> WorkingCalendar:
        """Office hours on the working days of the Russian production calendar."""
        return cls(
            _zone(tz), schedule or WeeklySchedule.default(), overrides or _NO_OVERRIDES, False
        )

    @classmethod
    def always(cls, tz: str | ZoneInfo = "UTC") -> WorkingCalendar:
        """24/7: every moment is working time; `tz` only sets the zone of the results."""
        return cls(_zone(tz), WeeklySchedule.default(), _NO_OVERRIDES, True)

    @property
    def tz_name(self) -> str:
        return self.tz.key

    def __repr__(self) -> str:
        if self.around_the_clock:
            return f"WorkingCalendar.always({self.tz_name!r})"
        return f"WorkingCalendar.russian({self.tz_name!r}, {str(self.schedule)!r})"

    # -- days ---------------------------------------------------------------------------

    def _status(self, day: date) -> tuple[OfficeHours | None, bool]:
        """The day's hours (None: day off) and whether it is shortened."""
        overrides = self.overrides
        schedule = self.schedule
        if day in overrides:
            if day in overrides.days_off:
                return None, False
            hours = schedule[day.weekday()] or schedule.default_hours
            return hours, day in overrides.shortened_days
        year = _year_calendar(day.year)
        if day in year.days_off:
            return None, False
        hours = schedule[day.weekday()]
        if hours is None and day in year.working_weekends:
            hours = schedule.default_hours
        if hours is None:
            return None, False
        return hours, day in year.shortened

    def _plan(self, ordinal: int) -> _Plan:
        plan = self._days.get(ordinal)
        if plan is None:
            plan = self._days[ordinal] = self._build_plan(date.fromordinal(ordinal))
        return plan

    def _build_plan(self, day: date) -> _Plan:
        hours, shortened = self._status(day)
        if hours is None:
            return _DAY_OFF
        intervals: list[tuple[int, int]] = []
        for start, end in hours.spans():
            a = _to_us(datetime.combine(day, start, tzinfo=self.tz))
            b = _to_us(datetime.combine(day, end, tzinfo=self.tz))
            # Only a DST change inside the office hours can disorder these: keep them sorted.
            if intervals and a < intervals[-1][1]:
                a = intervals[-1][1]
            if b > a:
                intervals.append((a, b))
        if shortened:
            intervals = _cut_from_end(intervals, _SHORTENED_BY_US)
        return sum(b - a for a, b in intervals), tuple(intervals)

    def _local_ordinal(self, moment: datetime) -> int:
        return moment.astimezone(self.tz).toordinal()

    def _from_us(self, us: int) -> datetime:
        return (_EPOCH + timedelta(microseconds=us)).astimezone(self.tz)

    @staticmethod
    def _require_date(day: date) -> None:
        if isinstance(day, datetime):
            raise TypeError("pass the local date in the calendar's time zone, not a datetime")

    def _day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """Local midnight to the next one (23 or 25 hours across a DST change)."""
        start = datetime.combine(day, time(0), tzinfo=self.tz)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz)
        return self._from_us(_to_us(start)), self._from_us(_to_us(end))

    def is_working_day(self, day: date) -> bool:
        """Whether the local date `day` has working time."""
        self._require_date(day)
        if self.around_the_clock:
            return True
        return self._plan(day.toordinal())[0] > 0

    def working_hours(self, day: date) -> timedelta:
        """Working time on the local date `day` (a whole local day in 24/7 mode)."""
        self._require_date(day)
        if self.around_the_clock:
            start, end = self._day_bounds(day)
            return timedelta(microseconds=_to_us(end) - _to_us(start))
        return timedelta(microseconds=self._plan(day.toordinal())[0])

    def intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working intervals [opening, closing) of the local date `day`."""
        self._require_date(day)
        if self.around_the_clock:
            return (self._day_bounds(day),)
        return tuple(
            (self._from_us(a), self._from_us(b)) for a, b in self._plan(day.toordinal())[1]
        )

    # -- moments ------------------------------------------------------------------------

    def is_working_time(self, moment: datetime) -> bool:
        _require_aware(moment, "moment")
        if self.around_the_clock:
            return True
        t = _to_us(moment)
        return any(a <= t < b for a, b in self._plan(self._local_ordinal(moment))[1])

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself if it is working time, else the next opening."""
        _require_aware(moment, "moment")
        if self.around_the_clock:
            return moment.astimezone(self.tz)
        t = _to_us(moment)
        ordinal = self._local_ordinal(moment)
        for a, b in self._plan(ordinal)[1]:
            if t < b:
                return moment.astimezone(self.tz) if a <= t else self._from_us(a)
        while True:
            ordinal += 1
            intervals = self._plan(ordinal)[1]
            if intervals:
                return self._from_us(intervals[0][0])

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment at which `duration` of working time has elapsed from `start`.

        A start outside working time counts from the next opening; a zero duration
        returns `start` unmoved; running out exactly at a closing returns the closing.
        """
        _require_aware(start, "start")
        _require_not_negative(duration)
        if self.around_the_clock:
            return (start.astimezone(UTC) + duration).astimezone(self.tz)
        if not duration:
            return start.astimezone(self.tz)
        remaining = duration // _US
        t = _to_us(start)
        ordinal = start.astimezone(self.tz).toordinal()
        days = self._days
        plan = days.get(ordinal) or self._plan(ordinal)
        for a, b in plan[1]:
            if b <= t:
                continue
            if a < t:
                a = t
            if remaining <= b - a:
                return self._from_us(a + remaining)
            remaining -= b - a
        # Whole days are skipped by their length; only the last one is walked.
        while True:
            ordinal += 1
            plan = days.get(ordinal) or self._plan(ordinal)
            if remaining > plan[0]:
                remaining -= plan[0]
                continue
            for a, b in plan[1]:
                if remaining <= b - a:
                    return self._from_us(a + remaining)
                remaining -= b - a

    def subtract(self, end: datetime, duration: timedelta) -> datetime:
        """The latest moment from which `duration` of working time runs out at `end`.

        Goes back through the working intervals before `end`; `subtract(add(s, d), d) == s`
        for every working moment `s`.
        """
        _require_aware(end, "end")
        _require_not_negative(duration)
        if self.around_the_clock:
            return (end.astimezone(UTC) - duration).astimezone(self.tz)
        if not duration:
            return end.astimezone(self.tz)
        remaining = duration // _US
        t = _to_us(end)
        ordinal = end.astimezone(self.tz).toordinal()
        days = self._days
        plan = days.get(ordinal) or self._plan(ordinal)
        for a, b in reversed(plan[1]):
            if a >= t:
                continue
            if b > t:
                b = t
            if remaining <= b - a:
                return self._from_us(b - remaining)
            remaining -= b - a
        while True:
            ordinal -= 1
            plan = days.get(ordinal) or self._plan(ordinal)
            if remaining > plan[0]:
                remaining -= plan[0]
                continue
            for a, b in reversed(plan[1]):
                if remaining <= b - a:
                    return self._from_us(b - remaining)
                remaining -= b - a

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two moments; zero if `end` is not after `start`."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        t0, t1 = _to_us(start), _to_us(end)
        if t1 <= t0:
            return _ZERO
        if self.around_the_clock:
            return timedelta(microseconds=t1 - t0)
        first, last = self._local_ordinal(start), self._local_ordinal(end)
        total = 0
        for ordinal in range(first, last + 1):
            plan = self._plan(ordinal)
            if first < ordinal < last:
                total += plan[0]
                continue
            for a, b in plan[1]:
                low, high = max(a, t0), min(b, t1)
                if high > low:
                    total += high - low
        return timedelta(microseconds=total)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The closing of the `days`-th working day after `start`'s local date (п.18).

        `start`'s own day is not counted. Zero days returns `start` unmoved. In 24/7 mode:
        `start` plus `days` × 24 hours.
        """
        _require_aware(start, "start")
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        if days == 0:
            return start.astimezone(self.tz)
        if self.around_the_clock:
            return (start.astimezone(UTC) + timedelta(days=days)).astimezone(self.tz)
        ordinal = self._local_ordinal(start)
        counted = 0
        while True:
            ordinal += 1
            total, intervals = self._plan(ordinal)
            if total:
                counted += 1
                if counted == days:
                    return self._from_us(intervals[-1][1])
