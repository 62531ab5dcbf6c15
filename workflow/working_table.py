"""Working time between many pairs of moments at once (the reports' mean and median).

`WorkingCalendar.elapsed` walks the days between two moments; a report asks it 100,000s of
times over the same year. Here the calendar's working intervals over the days asked about
are laid out once as UTC microseconds with the working time before each, so one question
is two binary searches: elapsed(t0, t1) = worked(t1) − worked(t0), where worked(t) is the
working time up to t. The result equals `WorkingCalendar.elapsed` to the microsecond.

Pure: no I/O, no wall clock.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Final

from workflow.calendar import WorkingCalendar

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_US: Final = timedelta(microseconds=1)
_DAY_US: Final = 86_400_000_000


def to_us(moment: datetime) -> int:
    """An aware moment as microseconds since the epoch."""
    return (moment - _EPOCH) // _US


class WorkingTable:
    """The working intervals of one calendar over the days between two moments."""

    def __init__(self, calendar: WorkingCalendar, low: int, high: int) -> None:
        """Covers the days from the one holding `low` to the one holding `high` (UTC
        microseconds), a day more each side for the zone's offset."""
        self.always = calendar.around_the_clock
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.before: list[int] = []
        if self.always:
            return
        first = date.fromordinal((low // _DAY_US) + _EPOCH.toordinal() - 1)
        last = date.fromordinal((high // _DAY_US) + _EPOCH.toordinal() + 1)
        worked = 0
        day = first
        while day <= last:
            for opening, closing in calendar.intervals(day):
                a, b = to_us(opening), to_us(closing)
                self.starts.append(a)
                self.ends.append(b)
                self.before.append(worked)
                worked += b - a
            day += timedelta(days=1)


def from_us(us: int) -> datetime:
    """Microseconds since the epoch as an aware UTC moment."""
    return _EPOCH + timedelta(microseconds=us)


def working_hours(calendar: WorkingCalendar, pairs: Sequence[tuple[int, int]]) -> list[float]:
    """Working hours of each span (start, end) in UTC microseconds since the epoch, as
    `calendar.elapsed` counts them, in the order given."""
    if not pairs:
        return []
    low = min(t0 for t0, _ in pairs)
    table = WorkingTable(calendar, low, max(low, max(t1 for _, t1 in pairs)))
    if table.always:
        return [(t1 - t0 if t1 > t0 else 0) / 1_000_000 / 3600 for t0, t1 in pairs]
    # worked(t1) − worked(t0), written out: this runs 100,000s of times a report
    starts, ends, before = table.starts, table.ends, table.before
    hours = []
    for t0, t1 in pairs:
        if t1 <= t0:
            hours.append(0.0)
            continue
        i = bisect_right(starts, t1) - 1
        j = bisect_right(starts, t0) - 1
        worked = 0
        if i >= 0:
            end = ends[i]
            worked = before[i] + (t1 if t1 < end else end) - starts[i]
        if j >= 0:
            end = ends[j]
            worked -= before[j] + (t0 if t0 < end else end) - starts[j]
        # timedelta.total_seconds() / 3600, as the figures always counted them
        hours.append(worked / 1_000_000 / 3600)
    return hours
