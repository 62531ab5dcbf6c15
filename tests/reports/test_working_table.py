"""The reports' working-time table counts exactly what `WorkingCalendar.elapsed` counts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from workflow.calendar import WeeklySchedule, WorkingCalendar
from workflow.working_table import to_us, working_hours

START = datetime(2025, 12, 20, tzinfo=UTC)  # the New Year holidays and a year after them

CALENDARS = {
    "moscow office": WorkingCalendar.russian("Europe/Moscow"),
    # a zone with summer time: the spans cross both changes of 2026
    "berlin office": WorkingCalendar.russian(
        "Europe/Berlin", WeeklySchedule.parse("mon-fri 08:30-17:15 break 12:00-12:45")
    ),
    "always": WorkingCalendar.always("Asia/Novosibirsk"),
}


def _spans(count: int) -> list[tuple[datetime, datetime]]:
    rng = random.Random(13)
    spans = []
    for _ in range(count):
        start = START + timedelta(minutes=rng.randrange(0, 400 * 24 * 60), seconds=rng.random())
        length = rng.choice((0, 7, 95, 60 * 30, 60 * 24 * 9)) * rng.random()
        spans.append((start, start + timedelta(minutes=length)))
    spans.append((START + timedelta(hours=5), START))  # the end before the start: zero
    return spans


@pytest.mark.parametrize("name", list(CALENDARS))
def test_working_hours_equal_the_calendars_elapsed(name: str) -> None:
    calendar = CALENDARS[name]
    spans = _spans(3000)
    hours = working_hours(calendar, [(to_us(a), to_us(b)) for a, b in spans])
    expected = [calendar.elapsed(a, b).total_seconds() / 3600 for a, b in spans]
    assert hours == expected  # to the microsecond: the same floats
    assert hours[-1] == 0.0
    assert any(value > 0 for value in hours)


def test_a_span_over_the_new_year_holidays_counts_none_of_them() -> None:
    calendar = CALENDARS["moscow office"]
    # 30 December 2025 17:00 Moscow to 12 January 2026 10:00: the last hour of the 30th and
    # the first of the 12th; 31 December and 1–11 January are days off.
    start = datetime(2025, 12, 30, 14, 0, tzinfo=UTC)
    end = datetime(2026, 1, 12, 7, 0, tzinfo=UTC)
    assert working_hours(calendar, [(to_us(start), to_us(end))]) == [2.0]
