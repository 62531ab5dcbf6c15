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

The office hours and their text form live in `workflow.office_hours`, the configuration
overrides in `workflow.calendar_overrides`; both are importable from here as before.

Pure: no I/O, no wall clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflow import production_calendar
from workflow.calendar_overrides import CalendarOverrides
from workflow.office_hours import OfficeHours, WeeklySchedule
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
