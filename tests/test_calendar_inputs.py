"""WorkingCalendar's refused inputs and the office-hours text form."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from tests.calendar_helpers import MOSCOW, H, M, msk
from workflow.calendar import OfficeHours, WeeklySchedule, WorkingCalendar


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
