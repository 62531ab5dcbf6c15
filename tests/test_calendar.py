"""WorkingCalendar by example: office hours, holidays, shortened days, time zones,
overrides, the 24/7 mode, and the office-hours text form."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflow.calendar import CalendarOverrides, OfficeHours, WeeklySchedule, WorkingCalendar

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


# -- add --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # within a day, and the lunch break
        (msk(2025, 3, 17, 9, 0), 3 * H, msk(2025, 3, 17, 12, 0)),
        (msk(2025, 3, 17, 12, 30), 1 * H, msk(2025, 3, 17, 14, 30)),
        (msk(2025, 3, 17, 13, 30), 30 * M, msk(2025, 3, 17, 14, 30)),
        # running out exactly at a closing returns the closing, not the next opening
        (msk(2025, 3, 17, 12, 0), 1 * H, msk(2025, 3, 17, 13, 0)),
        (msk(2025, 3, 17, 17, 0), 1 * H, msk(2025, 3, 17, 18, 0)),
        (msk(2025, 3, 17, 9, 0), 8 * H, msk(2025, 3, 17, 18, 0)),
        # start before opening, after closing
        (msk(2025, 3, 17, 7, 0), 30 * M, msk(2025, 3, 17, 9, 30)),
        (msk(2025, 3, 17, 19, 0), 30 * M, msk(2025, 3, 18, 9, 30)),
        (msk(2025, 3, 17, 18, 0), 30 * M, msk(2025, 3, 18, 9, 30)),
        # across a weekend (Fri → Mon), and starting on a Sunday
        (msk(2025, 3, 14, 17, 0), 3 * H, msk(2025, 3, 17, 11, 0)),
        (msk(2025, 3, 16, 12, 0), 1 * H, msk(2025, 3, 17, 10, 0)),
        # across a public holiday moved to Monday: Fri Mar 6 2026, Mar 7–9 off
        (msk(2026, 3, 6, 17, 0), 2 * H, msk(2026, 3, 10, 10, 0)),
        # across the New Year holidays (Dec 31 2025 and Jan 1–11 2026 off)
        (msk(2025, 12, 30, 17, 0), 3 * H, msk(2026, 1, 12, 11, 0)),
        # a shortened day ends at 17:00: Wed Apr 30 2025, then May 1–4 off
        (msk(2025, 4, 30, 16, 0), 1 * H, msk(2025, 4, 30, 17, 0)),
        (msk(2025, 4, 30, 16, 0), 90 * M, msk(2025, 5, 5, 9, 30)),
        (msk(2025, 4, 30, 17, 15), 30 * M, msk(2025, 5, 5, 9, 30)),
        # shortened day then a holiday: Jun 11 2025 (7 h), Jun 12–15 off
        (msk(2025, 6, 11, 16, 0), 2 * H, msk(2025, 6, 16, 10, 0)),
        # the working Saturday Nov 1 2025 (shortened), then Nov 2–4 off
        (msk(2025, 10, 31, 17, 0), 2 * H, msk(2025, 11, 1, 10, 0)),
        (msk(2025, 11, 1, 16, 0), 2 * H, msk(2025, 11, 5, 10, 0)),
        # five working days
        (msk(2025, 3, 17, 9, 0), 40 * H, msk(2025, 3, 21, 18, 0)),
        # seconds and microseconds are kept
        (msk(2025, 3, 17, 9, 0, 0, 1), timedelta(seconds=1), msk(2025, 3, 17, 9, 0, 1, 1)),
    ],
    ids=str,
)
def test_add_in_moscow(start: datetime, duration: timedelta, due: datetime) -> None:
    assert MOSCOW.add(start, duration) == due


def test_add_returns_the_calendars_time_zone() -> None:
    due = NOVOSIBIRSK.add(datetime(2025, 3, 17, 2, 0, tzinfo=UTC), H)  # 09:00 in Novosibirsk
    assert due.tzinfo is NSK
    assert (due.hour, due.utcoffset()) == (10, 7 * H)


def test_same_instant_differs_between_time_zones() -> None:
    start = datetime(2025, 3, 17, 6, 0, tzinfo=UTC)  # 09:00 Moscow, 13:00 Novosibirsk
    assert MOSCOW.add(start, H) == msk(2025, 3, 17, 10, 0)
    assert NOVOSIBIRSK.add(start, H) == nsk(2025, 3, 17, 15, 0)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        (nsk(2025, 3, 14, 17, 0), 3 * H, nsk(2025, 3, 17, 11, 0)),
        (nsk(2025, 6, 11, 16, 30), H, nsk(2025, 6, 16, 9, 30)),
        (nsk(2027, 2, 19, 17, 0), 2 * H, nsk(2027, 2, 20, 10, 0)),  # working Sat Feb 20 2027
    ],
    ids=str,
)
def test_add_in_novosibirsk(start: datetime, duration: timedelta, due: datetime) -> None:
    assert NOVOSIBIRSK.add(start, duration) == due


def test_add_zero_does_not_move_a_moment_outside_office_hours() -> None:
    saturday = msk(2025, 3, 15, 10, 0)
    assert MOSCOW.add(saturday, timedelta(0)) == saturday


def test_non_russian_time_zone_with_dst() -> None:
    berlin = WorkingCalendar.russian("Europe/Berlin")
    # Fri Mar 28 2025 17:00 CET (+1), the clocks go forward on Sun Mar 30.
    due = berlin.add(datetime(2025, 3, 28, 17, 0, tzinfo=BERLIN), 2 * H)
    assert due == datetime(2025, 3, 31, 10, 0, tzinfo=BERLIN)
    assert due.utcoffset() == 2 * H
    assert berlin.elapsed(datetime(2025, 3, 28, 17, 0, tzinfo=BERLIN), due) == 2 * H


# -- elapsed ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "working"),
    [
        (msk(2025, 3, 17, 12, 0), msk(2025, 3, 17, 15, 0), 2 * H),  # over the break
        (msk(2025, 3, 14, 17, 0), msk(2025, 3, 17, 10, 0), 2 * H),  # over a weekend
        (msk(2025, 12, 30, 17, 0), msk(2026, 1, 12, 10, 0), 2 * H),  # New Year holidays
        (msk(2025, 4, 30, 16, 0), msk(2025, 4, 30, 18, 0), H),  # shortened day
        (msk(2025, 3, 17, 7, 0), msk(2025, 3, 17, 8, 0), timedelta(0)),  # before opening
        (msk(2025, 3, 15, 0, 0), msk(2025, 3, 17, 0, 0), timedelta(0)),  # weekend
        (msk(2025, 3, 17, 0, 0), msk(2025, 3, 24, 0, 0), 40 * H),  # a whole week
        (msk(2025, 3, 17, 15, 0), msk(2025, 3, 17, 12, 0), timedelta(0)),  # end before start
        (msk(2025, 3, 17, 15, 0), msk(2025, 3, 17, 15, 0), timedelta(0)),
        (nsk(2025, 3, 17, 13, 0), msk(2025, 3, 17, 12, 0), 3 * H),  # MSK 09:00 → 12:00
    ],
    ids=str,
)
def test_elapsed_in_moscow(start: datetime, end: datetime, working: timedelta) -> None:
    assert MOSCOW.elapsed(start, end) == working


def test_elapsed_depends_on_the_time_zone() -> None:
    start = datetime(2025, 3, 17, 4, 0, tzinfo=UTC)  # 07:00 Moscow, 11:00 Novosibirsk
    end = datetime(2025, 3, 17, 8, 0, tzinfo=UTC)  # 11:00 Moscow, 15:00 Novosibirsk
    assert MOSCOW.elapsed(start, end) == 2 * H
    assert NOVOSIBIRSK.elapsed(start, end) == 3 * H


# -- subtract ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "duration", "start"),
    [
        (msk(2025, 3, 17, 12, 0), 30 * M, msk(2025, 3, 17, 11, 30)),
        (msk(2025, 3, 17, 14, 30), H, msk(2025, 3, 17, 12, 30)),  # back over the break
        (msk(2025, 3, 17, 14, 0), 30 * M, msk(2025, 3, 17, 12, 30)),
        (msk(2025, 3, 17, 10, 0), 2 * H, msk(2025, 3, 14, 17, 0)),  # back over a weekend
        (msk(2025, 3, 15, 12, 0), 30 * M, msk(2025, 3, 14, 17, 30)),  # from a Saturday
        (msk(2025, 3, 17, 10, 0), H, msk(2025, 3, 17, 9, 0)),  # the opening is the latest
        (msk(2025, 5, 5, 9, 30), 90 * M, msk(2025, 4, 30, 16, 0)),  # into a shortened day
        (msk(2026, 1, 12, 9, 15), 30 * M, msk(2025, 12, 30, 17, 45)),
        (msk(2025, 3, 15, 12, 0), timedelta(0), msk(2025, 3, 15, 12, 0)),
    ],
    ids=str,
)
def test_subtract_in_moscow(end: datetime, duration: timedelta, start: datetime) -> None:
    assert MOSCOW.subtract(end, duration) == start


def test_draft_is_due_thirty_working_minutes_before_the_answer() -> None:
    detected = msk(2025, 3, 14, 16, 0)
    answer_due = MOSCOW.add(detected, 3 * H)
    draft_due = MOSCOW.subtract(answer_due, 30 * M)
    assert (answer_due, draft_due) == (msk(2025, 3, 17, 10, 0), msk(2025, 3, 17, 9, 30))


# -- add_working_days -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (msk(2025, 3, 17, 10, 0), 5, msk(2025, 3, 24, 18, 0)),
        (msk(2025, 3, 17, 10, 0), 1, msk(2025, 3, 18, 18, 0)),
        (msk(2025, 3, 15, 10, 0), 1, msk(2025, 3, 17, 18, 0)),  # from a Saturday
        (msk(2025, 3, 17, 23, 0), 1, msk(2025, 3, 18, 18, 0)),  # late in the evening
        # Dec 25, 26, 29, 30; Dec 31 – Jan 11 off; Jan 12
        (msk(2025, 12, 24, 15, 0), 5, msk(2026, 1, 12, 18, 0)),
        # Apr 24, 27, 28, 29; the 5th is shortened Thu Apr 30 2026
        (msk(2026, 4, 23, 15, 0), 5, msk(2026, 4, 30, 17, 0)),
        (msk(2025, 3, 17, 10, 0), 0, msk(2025, 3, 17, 10, 0)),
    ],
    ids=str,
)
def test_add_working_days(start: datetime, days: int, due: datetime) -> None:
    assert MOSCOW.add_working_days(start, days) == due


def test_add_working_days_uses_the_calendars_local_date() -> None:
    # 20:00 UTC on Monday: 23:00 Monday in Moscow, 03:00 Tuesday in Novosibirsk.
    start = datetime(2025, 3, 17, 20, 0, tzinfo=UTC)
    assert MOSCOW.add_working_days(start, 1) == msk(2025, 3, 18, 18, 0)
    assert NOVOSIBIRSK.add_working_days(start, 1) == nsk(2025, 3, 19, 18, 0)


def test_add_working_days_refuses_negative_days() -> None:
    with pytest.raises(ValueError, match="negative"):
        MOSCOW.add_working_days(msk(2025, 3, 17, 10, 0), -1)


# -- moments and days -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (msk(2025, 3, 17, 9, 0), True),
        (msk(2025, 3, 17, 8, 59, 59), False),
        (msk(2025, 3, 17, 12, 59, 59), True),
        (msk(2025, 3, 17, 13, 0), False),
        (msk(2025, 3, 17, 14, 0), True),
        (msk(2025, 3, 17, 17, 59), True),
        (msk(2025, 3, 17, 18, 0), False),
        (msk(2025, 3, 15, 11, 0), False),  # Saturday
        (msk(2025, 11, 1, 11, 0), True),  # working Saturday
        (msk(2025, 4, 30, 16, 59), True),  # shortened day
        (msk(2025, 4, 30, 17, 0), False),
        (msk(2025, 6, 12, 11, 0), False),  # Russia Day
        (datetime(2025, 3, 17, 6, 0, tzinfo=UTC), True),  # 09:00 Moscow
        (datetime(2025, 3, 17, 5, 59, tzinfo=UTC), False),
    ],
    ids=str,
)
def test_is_working_time(moment: datetime, working: bool) -> None:
    assert MOSCOW.is_working_time(moment) is working


@pytest.mark.parametrize(
    ("moment", "next_moment"),
    [
        (msk(2025, 3, 17, 10, 0), msk(2025, 3, 17, 10, 0)),
        (msk(2025, 3, 17, 13, 30), msk(2025, 3, 17, 14, 0)),
        (msk(2025, 3, 17, 6, 0), msk(2025, 3, 17, 9, 0)),
        (msk(2025, 3, 14, 19, 0), msk(2025, 3, 17, 9, 0)),
        (msk(2025, 3, 17, 18, 0), msk(2025, 3, 18, 9, 0)),
        (msk(2025, 12, 30, 18, 0), msk(2026, 1, 12, 9, 0)),
    ],
    ids=str,
)
def test_next_working_moment(moment: datetime, next_moment: datetime) -> None:
    found = MOSCOW.next_working_moment(moment)
    assert found == next_moment
    assert found.tzinfo is MSK


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2025, 3, 17), 8 * H),
        (date(2025, 3, 15), timedelta(0)),
        (date(2025, 3, 7), 7 * H),
        (date(2025, 11, 1), 7 * H),
        (date(2025, 1, 7), timedelta(0)),
    ],
    ids=str,
)
def test_working_hours(day: date, hours: timedelta) -> None:
    assert MOSCOW.working_hours(day) == hours
    assert MOSCOW.is_working_day(day) is (hours > timedelta(0))


def test_shortened_day_loses_its_last_hour() -> None:
    intervals = MOSCOW.intervals(date(2025, 3, 7))
    assert intervals == (
        (msk(2025, 3, 7, 9, 0), msk(2025, 3, 7, 13, 0)),
        (msk(2025, 3, 7, 14, 0), msk(2025, 3, 7, 17, 0)),
    )


def test_shortened_day_cut_crosses_the_break_when_the_afternoon_is_short() -> None:
    short_afternoon = WorkingCalendar.russian(
        "Europe/Moscow", WeeklySchedule.parse("mon-fri 09:00-14:30 break 13:00-14:00")
    )
    assert short_afternoon.working_hours(date(2025, 3, 17)) == timedelta(hours=4, minutes=30)
    assert short_afternoon.intervals(date(2025, 3, 7)) == (
        (msk(2025, 3, 7, 9, 0), msk(2025, 3, 7, 12, 30)),
    )


def test_working_saturday_takes_mondays_hours() -> None:
    calendar = WorkingCalendar.russian(
        "Europe/Moscow", WeeklySchedule.parse("mon 08:00-17:00; tue-fri 09:00-18:00")
    )
    # Sat Nov 1 2025: Monday's 08:00–17:00, shortened by an hour.
    assert calendar.intervals(date(2025, 11, 1)) == (
        (msk(2025, 11, 1, 8, 0), msk(2025, 11, 1, 16, 0)),
    )


def test_working_saturday_without_monday_hours_takes_the_first_working_weekday() -> None:
    calendar = WorkingCalendar.russian("Europe/Moscow", WeeklySchedule.parse("tue-fri 10:00-19:00"))
    assert calendar.intervals(date(2027, 2, 20)) == (
        (msk(2027, 2, 20, 10, 0), msk(2027, 2, 20, 18, 0)),
    )


def test_saturday_office_closes_on_a_saturday_holiday() -> None:
    six_days = WorkingCalendar.russian(
        "Europe/Moscow", WeeklySchedule.parse("mon-fri 09:00-18:00; sat 10:00-14:00")
    )
    assert six_days.working_hours(date(2025, 3, 15)) == 4 * H
    assert not six_days.is_working_day(date(2025, 3, 8))  # Sat, Women's Day


def test_custom_friday_hours() -> None:
    calendar = WorkingCalendar.russian(
        "Asia/Krasnoyarsk",
        WeeklySchedule.parse(
            "mon-thu 09:00-18:00 break 13:00-14:00; fri 09:00-16:45 break 13:00-14:00"
        ),
    )
    krasnoyarsk = ZoneInfo("Asia/Krasnoyarsk")
    assert calendar.working_hours(date(2025, 3, 14)) == timedelta(hours=6, minutes=45)
    assert calendar.add(datetime(2025, 3, 14, 16, 0, tzinfo=krasnoyarsk), H) == datetime(
        2025, 3, 17, 9, 15, tzinfo=krasnoyarsk
    )


def test_tz_and_tz_name() -> None:
    assert MOSCOW.tz == MSK
    assert MOSCOW.tz_name == "Europe/Moscow"
    assert WorkingCalendar.always().tz_name == "UTC"


# -- overrides --------------------------------------------------------------------------


def test_override_extra_day_off() -> None:
    calendar = WorkingCalendar.russian(
        "Europe/Moscow", overrides=CalendarOverrides(days_off=frozenset({date(2025, 3, 17)}))
    )
    assert not calendar.is_working_day(date(2025, 3, 17))
    assert calendar.add(msk(2025, 3, 14, 17, 0), 2 * H) == msk(2025, 3, 18, 10, 0)
    assert MOSCOW.add(msk(2025, 3, 14, 17, 0), 2 * H) == msk(2025, 3, 17, 10, 0)


def test_override_extra_working_day() -> None:
    calendar = WorkingCalendar.russian(
        "Europe/Moscow", overrides=CalendarOverrides(working_days=frozenset({date(2025, 3, 15)}))
    )
    assert calendar.working_hours(date(2025, 3, 15)) == 8 * H
    assert calendar.add(msk(2025, 3, 14, 17, 0), 2 * H) == msk(2025, 3, 15, 10, 0)


def test_override_working_day_on_a_holiday() -> None:
    calendar = WorkingCalendar.russian(
        "Europe/Moscow", overrides=CalendarOverrides(working_days=frozenset({date(2025, 6, 12)}))
    )
    assert calendar.working_hours(date(2025, 6, 12)) == 8 * H


def test_override_extra_shortened_day() -> None:
    calendar = WorkingCalendar.russian(
        "Europe/Moscow", overrides=CalendarOverrides(shortened_days=frozenset({date(2025, 3, 17)}))
    )
    assert calendar.working_hours(date(2025, 3, 17)) == 7 * H
    assert calendar.add(msk(2025, 3, 17, 16, 0), 2 * H) == msk(2025, 3, 18, 10, 0)


def test_override_working_day_unshortens_a_builtin_shortened_day() -> None:
    calendar = WorkingCalendar.russian(
        "Europe/Moscow", overrides=CalendarOverrides(working_days=frozenset({date(2025, 4, 30)}))
    )
    assert calendar.working_hours(date(2025, 4, 30)) == 8 * H


def test_override_shortened_saturday_is_a_shortened_working_day() -> None:
    # A new decree's working Saturday that is also pre-holiday, listed once or twice.
    saturday = date(2028, 3, 4)
    once = CalendarOverrides(shortened_days=frozenset({saturday}))
    twice = CalendarOverrides(
        working_days=frozenset({saturday}), shortened_days=once.shortened_days
    )
    for overrides in (once, twice):
        calendar = WorkingCalendar.russian("Europe/Moscow", overrides=overrides)
        assert calendar.working_hours(saturday) == 7 * H


def test_override_accepts_any_iterable_and_stays_hashable() -> None:
    overrides = CalendarOverrides(days_off={date(2025, 3, 17)})  # type: ignore[arg-type]
    assert overrides.days_off == frozenset({date(2025, 3, 17)})
    assert hash(overrides) == hash(CalendarOverrides(days_off=frozenset({date(2025, 3, 17)})))


def test_override_contradiction_is_refused() -> None:
    day = date(2025, 3, 17)
    with pytest.raises(ValueError, match="2025-03-17"):
        CalendarOverrides(days_off=frozenset({day}), working_days=frozenset({day}))
    with pytest.raises(ValueError, match="2025-03-17"):
        CalendarOverrides(days_off=frozenset({day}), shortened_days=frozenset({day}))


def test_override_refuses_datetimes() -> None:
    with pytest.raises(ValueError, match="dates"):
        CalendarOverrides(days_off=frozenset({datetime(2025, 3, 17)}))


# -- 24/7 -------------------------------------------------------------------------------


def test_always_counts_every_moment() -> None:
    calendar = WorkingCalendar.always("Europe/Moscow")
    saturday_night = msk(2025, 3, 15, 23, 0)
    assert calendar.add(saturday_night, 3 * H) == msk(2025, 3, 16, 2, 0)
    assert calendar.subtract(saturday_night, 30 * M) == msk(2025, 3, 15, 22, 30)
    assert calendar.elapsed(msk(2025, 12, 31, 0, 0), msk(2026, 1, 2, 0, 0)) == 48 * H
    assert calendar.is_working_time(msk(2026, 1, 1, 3, 0))
    assert calendar.is_working_day(date(2026, 1, 1))
    assert calendar.working_hours(date(2026, 1, 1)) == 24 * H
    assert calendar.next_working_moment(saturday_night) == saturday_night
    assert calendar.add_working_days(saturday_night, 5) == msk(2025, 3, 20, 23, 0)


def test_always_counts_real_time_across_dst() -> None:
    calendar = WorkingCalendar.always("Europe/Berlin")
    before = datetime(2025, 3, 29, 12, 0, tzinfo=BERLIN)
    assert calendar.add(before, 24 * H) == datetime(2025, 3, 30, 13, 0, tzinfo=BERLIN)
    assert calendar.working_hours(date(2025, 3, 30)) == 23 * H
    assert calendar.working_hours(date(2025, 10, 26)) == 25 * H


def test_always_returns_the_calendars_time_zone() -> None:
    calendar = WorkingCalendar.always("Asia/Novosibirsk")
    due = calendar.add(datetime(2025, 3, 17, 0, 0, tzinfo=UTC), H)
    assert due.tzinfo is NSK and due.hour == 8


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("calendar", [MOSCOW, WorkingCalendar.always()], ids=["russian", "always"])
def test_naive_datetimes_are_refused(calendar: WorkingCalendar) -> None:
    naive = datetime(2025, 3, 17, 10, 0)
    aware = msk(2025, 3, 17, 10, 0)
    for call in (
        lambda: calendar.add(naive, H),
        lambda: calendar.subtract(naive, H),
        lambda: calendar.elapsed(naive, aware),
        lambda: calendar.elapsed(aware, naive),
        lambda: calendar.is_working_time(naive),
        lambda: calendar.next_working_moment(naive),
        lambda: calendar.add_working_days(naive, 1),
    ):
        with pytest.raises(ValueError, match="timezone-aware"):
            call()


@pytest.mark.parametrize("calendar", [MOSCOW, WorkingCalendar.always()], ids=["russian", "always"])
def test_negative_durations_are_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        calendar.add(msk(2025, 3, 17, 10, 0), -M)
    with pytest.raises(ValueError, match="negative"):
        calendar.subtract(msk(2025, 3, 17, 10, 0), -M)


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="Moscow"):
        WorkingCalendar.russian("Moscow")
    with pytest.raises(ValueError, match="time zone"):
        WorkingCalendar.always("Mars/Olympus")


def test_days_are_dates_not_datetimes() -> None:
    with pytest.raises(TypeError, match="local date"):
        MOSCOW.is_working_day(msk(2025, 3, 17, 10, 0))


# -- office hours -----------------------------------------------------------------------

DEFAULT_HOURS = OfficeHours(time(9), time(18), time(13), time(14))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "mon-fri 09:00-18:00 break 13:00-14:00",
            WeeklySchedule((DEFAULT_HOURS,) * 5 + (None,) * 2),
        ),
        ("MON-FRI 9:00 - 18:00 BREAK 13:00 - 14:00", WeeklySchedule.default()),
        ("пн-пт 09:00-18:00 перерыв 13:00-14:00", WeeklySchedule.default()),
        ("monday-friday 09:00-18:00 break 13:00-14:00;", WeeklySchedule.default()),
        (
            "mon-fri 09:00-18:00 break 13:00-14:00; sat off; sun closed",
            WeeklySchedule.default(),
        ),
        (
            "mon, wed-fri 08:00-17:00; tue 10:00-19:00",
            WeeklySchedule.of(
                {
                    0: OfficeHours(time(8), time(17)),
                    1: OfficeHours(time(10), time(19)),
                    2: OfficeHours(time(8), time(17)),
                    3: OfficeHours(time(8), time(17)),
                    4: OfficeHours(time(8), time(17)),
                }
            ),
        ),
        ("sun 00:00-23:59", WeeklySchedule.of({6: OfficeHours(time(0), time(23, 59))})),
    ],
)
def test_parse_office_hours(text: str, expected: WeeklySchedule) -> None:
    assert WeeklySchedule.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ;  ", "empty"),
        ("always open", 'unknown day "always"'),
        ("mon-fry 09:00-18:00", 'unknown day "fry"'),
        ("fri-mon 09:00-18:00", "runs backwards"),
        ("mon-fri", "expected"),
        ("mon-fri 9-18", 'bad time "9"'),
        ("mon-fri 09:00-24:00", 'bad time "24:00"'),
        ("mon-fri 09:60-18:00", 'bad time "09:60"'),
        ("mon-fri 18:00-09:00", "start before they end"),
        ("mon-fri 09:00-18:00 break 12:00-19:00", "inside the office hours"),
        ("mon-fri 09:00-18:00 lunch 13:00-14:00", "expected"),
        ("mon-fri 09:00-18:00; fri 09:00-16:00", "fri is given twice"),
        ("sat-sun off", "no working day"),
        ("mon-wed-fri 09:00-18:00", "bad day range"),
        ("mon-fri 09:00-13:00-18:00", "bad time span"),
    ],
)
def test_parse_office_hours_refuses_bad_text(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WeeklySchedule.parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "mon-fri 09:00-18:00 break 13:00-14:00",
        "mon-thu 09:00-18:00 break 13:00-14:00; fri 09:00-16:45 break 13:00-14:00",
        "mon 08:00-17:00; wed 08:00-17:00; sat 10:00-14:00",
    ],
)
def test_office_hours_text_round_trips(text: str) -> None:
    schedule = WeeklySchedule.parse(text)
    assert str(schedule) == text
    assert WeeklySchedule.parse(str(schedule)) == schedule


def test_weekly_schedule_is_a_mapping_of_weekdays() -> None:
    schedule = WeeklySchedule.weekdays(time(9), time(18), time(13), time(14))
    assert schedule == WeeklySchedule.default()
    assert len(schedule) == 7 and list(schedule) == list(range(7))
    assert schedule[0] == DEFAULT_HOURS and schedule[6] is None
    assert 7 not in schedule
    assert schedule.default_hours == DEFAULT_HOURS
    assert DEFAULT_HOURS.length == 8 * H


def test_weekly_schedule_needs_seven_days_and_a_working_one() -> None:
    with pytest.raises(ValueError, match="7 days"):
        WeeklySchedule((DEFAULT_HOURS,) * 5)
    with pytest.raises(ValueError, match="no working day"):
        WeeklySchedule((None,) * 7)
    with pytest.raises(ValueError, match="weekdays are 0"):
        WeeklySchedule.of({7: DEFAULT_HOURS})


def test_office_hours_break_needs_both_ends() -> None:
    with pytest.raises(ValueError, match="both"):
        OfficeHours(time(9), time(18), time(13), None)


def test_office_hours_and_overrides_live_apart_and_are_importable_from_the_calendar() -> None:
    import workflow.calendar as calendar
    import workflow.calendar_overrides as overrides
    import workflow.office_hours as office_hours

    assert calendar.WeeklySchedule is office_hours.WeeklySchedule
    assert calendar.OfficeHours is office_hours.OfficeHours
    assert calendar.CalendarOverrides is overrides.CalendarOverrides
    assert str(office_hours.WeeklySchedule.parse("пн-пт 09:00-18:00")) == "mon-fri 09:00-18:00"
