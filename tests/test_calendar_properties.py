"""Properties of WorkingCalendar, checked with hypothesis, and `add` against a
minute-by-minute reference built straight from the production calendar tables."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from workflow import production_calendar as pc
from workflow.calendar import CalendarOverrides, WeeklySchedule, WorkingCalendar

MSK = ZoneInfo("Europe/Moscow")
ZONES = [UTC, MSK, ZoneInfo("Asia/Novosibirsk"), ZoneInfo("Europe/Berlin")]

CALENDARS = [
    WorkingCalendar.russian("Europe/Moscow"),
    WorkingCalendar.russian("Asia/Novosibirsk"),
    WorkingCalendar.russian(
        "Asia/Krasnoyarsk",
        WeeklySchedule.parse("mon-thu 08:30-17:30 break 12:00-12:45; fri 08:30-16:15; sat off"),
        CalendarOverrides(
            days_off=frozenset({date(2025, 3, 17), date(2026, 7, 1)}),
            working_days=frozenset({date(2025, 3, 22)}),
            shortened_days=frozenset({date(2026, 7, 2)}),
        ),
    ),
    # DST inside the week: the clocks change at night, office hours stay put.
    WorkingCalendar.russian("Europe/Berlin", WeeklySchedule.parse("mon-sat 07:00-19:00")),
]
ALWAYS = [WorkingCalendar.always("Europe/Moscow"), WorkingCalendar.always("Europe/Berlin")]

calendars = st.sampled_from(CALENDARS)
moments = st.builds(
    lambda naive, zone: naive.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 11, 30)),
    st.sampled_from(ZONES),
)
# Up to five working days; microseconds included, the arithmetic is exact.
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=40))
positive_durations = st.timedeltas(
    min_value=timedelta(microseconds=1), max_value=timedelta(hours=40)
)

PROPERTY = settings(max_examples=200, deadline=None)


def utc(moment: datetime) -> datetime:
    # Same-zone comparisons of aware datetimes ignore fold; compare in UTC.
    return moment.astimezone(UTC)


def closes_an_interval_or_inside(calendar: WorkingCalendar, moment: datetime) -> bool:
    local = moment.astimezone(calendar.tz)
    return any(
        utc(opening) < utc(moment) <= utc(closing)
        for opening, closing in calendar.intervals(local.date())
    )


@PROPERTY
@given(calendars, moments, durations)
def test_elapsed_after_add_is_the_duration(calendar, start, duration) -> None:
    assert calendar.elapsed(start, calendar.add(start, duration)) == duration


@PROPERTY
@given(calendars, moments, durations, durations)
def test_add_is_monotonic_in_the_duration(calendar, start, first, second) -> None:
    shorter, longer = sorted((first, second))
    assert utc(calendar.add(start, shorter)) <= utc(calendar.add(start, longer))


@PROPERTY
@given(calendars, moments, moments, durations)
def test_add_is_monotonic_in_the_start(calendar, first, second, duration) -> None:
    earlier, later = sorted((first, second), key=utc)
    assert utc(calendar.add(earlier, duration)) <= utc(calendar.add(later, duration))


@PROPERTY
@given(calendars, moments, durations, durations)
def test_add_composes(calendar, start, first, second) -> None:
    assert calendar.add(start, first + second) == calendar.add(calendar.add(start, first), second)


@PROPERTY
@given(calendars, moments, positive_durations)
def test_add_lands_inside_office_hours_or_on_a_closing(calendar, start, duration) -> None:
    due = calendar.add(start, duration)
    assert due.tzinfo is calendar.tz
    assert closes_an_interval_or_inside(calendar, due)


@PROPERTY
@given(calendars, moments, durations)
def test_subtract_inverts_add_from_working_time(calendar, start, duration) -> None:
    assume(calendar.is_working_time(start))
    assert calendar.subtract(calendar.add(start, duration), duration) == start


@PROPERTY
@given(calendars, moments, positive_durations, durations)
def test_add_inverts_subtract_to_a_working_moment(calendar, start, lead, duration) -> None:
    end = calendar.add(start, lead)  # inside office hours or on a closing
    back = calendar.subtract(end, duration)
    assert calendar.add(back, duration) == end
    assert calendar.elapsed(back, end) == duration


@PROPERTY
@given(calendars, moments, moments, moments)
def test_elapsed_is_additive(calendar, a, b, c) -> None:
    first, middle, last = sorted((a, b, c), key=utc)
    assert calendar.elapsed(first, last) == calendar.elapsed(first, middle) + calendar.elapsed(
        middle, last
    )
    assert calendar.elapsed(first, last) <= utc(last) - utc(first)


@PROPERTY
@given(calendars, moments)
def test_next_working_moment_is_the_first_working_moment(calendar, moment) -> None:
    found = calendar.next_working_moment(moment)
    assert calendar.is_working_time(found)
    assert utc(found) >= utc(moment)
    assert calendar.elapsed(moment, found) == timedelta(0)
    assert (found == moment) is calendar.is_working_time(moment)


@PROPERTY
@given(calendars, moments, st.integers(min_value=1, max_value=20))
def test_add_working_days_ends_at_the_closing_of_the_nth_working_day(calendar, start, days) -> None:
    due = calendar.add_working_days(start, days)
    first = start.astimezone(calendar.tz).date()
    last = due.date()
    counted = sum(
        calendar.is_working_day(first + timedelta(days=n))
        for n in range(1, (last - first).days + 1)
    )
    assert counted == days
    assert calendar.is_working_day(last)
    assert due == calendar.intervals(last)[-1][1]


@PROPERTY
@given(st.sampled_from(ALWAYS), moments, durations)
def test_always_is_real_time(calendar, start, duration) -> None:
    due = calendar.add(start, duration)
    assert utc(due) == utc(start) + duration
    assert calendar.elapsed(start, due) == duration
    assert calendar.subtract(due, duration) == start
    assert calendar.is_working_time(start)


# A reference: minute by minute, straight from the tables, default hours in Moscow.


def reference_is_working_minute(moment: datetime) -> bool:
    day = moment.date()
    year = day.year
    if day in pc.DAYS_OFF[year]:
        return False
    if day.weekday() >= 5 and day not in pc.WORKING_WEEKENDS[year]:
        return False
    closing = time(17) if day in pc.SHORTENED[year] else time(18)
    return time(9) <= moment.time() < time(13) or time(14) <= moment.time() < closing


def reference_add(start: datetime, minutes: int) -> datetime:
    moment = start
    while minutes:
        if reference_is_working_minute(moment):
            minutes -= 1
        moment += timedelta(minutes=1)
    return moment


def reference_elapsed_minutes(start: datetime, end: datetime) -> int:
    count = 0
    moment = start
    while moment < end:
        count += reference_is_working_minute(moment)
        moment += timedelta(minutes=1)
    return count


whole_minutes_in_moscow = st.builds(
    lambda day, minute: datetime.combine(day, time(0), tzinfo=MSK) + timedelta(minutes=minute),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 20)),
    st.integers(min_value=0, max_value=24 * 60 - 1),
)


@settings(max_examples=100, deadline=None)
@given(whole_minutes_in_moscow, st.integers(min_value=1, max_value=16 * 60))
def test_add_matches_the_minute_by_minute_reference(start, minutes) -> None:
    assert CALENDARS[0].add(start, timedelta(minutes=minutes)) == reference_add(start, minutes)


@settings(max_examples=100, deadline=None)
@given(whole_minutes_in_moscow, st.integers(min_value=0, max_value=4 * 24 * 60))
def test_elapsed_matches_the_minute_by_minute_reference(start, span) -> None:
    end = start + timedelta(minutes=span)
    expected = reference_elapsed_minutes(start, end)
    assert CALENDARS[0].elapsed(start, end) == timedelta(minutes=expected)
