"""WorkingCalendar by example: shortened days, working Saturdays, custom hours, overrides and the
24/7 mode."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.calendar_helpers import BERLIN, MOSCOW, MSK, NSK, H, M, msk
from workflow.calendar import CalendarOverrides, WeeklySchedule, WorkingCalendar


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
