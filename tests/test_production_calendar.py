"""The production calendar tables: every date of CALENDAR.md, the yearly totals, the
cross-check against the `holidays` package, and the Labour Code fallback."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import holidays
import pytest

import workflow.calendar as calendar_module
from workflow import production_calendar as pc
from workflow.calendar import WorkingCalendar

DECREE_YEARS = (2025, 2026, 2027)
CAL = WorkingCalendar.russian("Europe/Moscow")
EIGHT_HOURS = timedelta(hours=8)
SEVEN_HOURS = timedelta(hours=7)

# CALENDAR.md, row by row.
HOLIDAYS = [
    date(year, month, day)
    for year in DECREE_YEARS
    for month, day in [(1, d) for d in range(1, 9)]
    + [(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)]
]
TRANSFERRED_DAYS_OFF = [
    # 2025: Sat Jan 4 → Fri May 2; Sun Jan 5 → Wed Dec 31; Sun Feb 23 → Thu May 8;
    # Sat Mar 8 → Fri Jun 13; Sat Nov 1 → Mon Nov 3
    date(2025, 5, 2),
    date(2025, 12, 31),
    date(2025, 5, 8),
    date(2025, 6, 13),
    date(2025, 11, 3),
    # 2026: Sat Jan 3 → Fri Jan 9; Sun Jan 4 → Thu Dec 31
    date(2026, 1, 9),
    date(2026, 12, 31),
    # 2027: Sat Jan 2 → Fri Nov 5; Sun Jan 3 → Fri Dec 31; Sat Feb 20 → Mon Feb 22
    date(2027, 11, 5),
    date(2027, 12, 31),
    date(2027, 2, 22),
]
HOLIDAYS_MOVED_TO_MONDAY = [
    date(2026, 3, 9),
    date(2026, 5, 11),
    date(2027, 5, 3),
    date(2027, 5, 10),
    date(2027, 6, 14),
]
WORKING_WEEKEND_DAYS = [date(2025, 11, 1), date(2027, 2, 20)]
SHORTENED_DAYS = [
    date(2025, 3, 7),
    date(2025, 4, 30),
    date(2025, 6, 11),
    date(2025, 11, 1),
    date(2026, 4, 30),
    date(2026, 5, 8),
    date(2026, 6, 11),
    date(2026, 11, 3),
    date(2027, 2, 20),
    date(2027, 4, 30),
    date(2027, 6, 11),
    date(2027, 11, 3),
]
NON_WORKING = HOLIDAYS + TRANSFERRED_DAYS_OFF + HOLIDAYS_MOVED_TO_MONDAY


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("day", HOLIDAYS, ids=str)
def test_public_holiday_is_a_day_off(day: date) -> None:
    assert day in pc.DAYS_OFF[day.year]
    assert not CAL.is_working_day(day)
    assert CAL.working_hours(day) == timedelta(0)


@pytest.mark.parametrize("day", TRANSFERRED_DAYS_OFF, ids=str)
def test_transferred_day_off_is_a_weekday_off(day: date) -> None:
    assert day.weekday() < 5
    assert day in pc.DAYS_OFF[day.year]
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", HOLIDAYS_MOVED_TO_MONDAY, ids=str)
def test_weekend_holiday_moved_to_monday_is_off(day: date) -> None:
    assert day.weekday() == 0
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize("day", WORKING_WEEKEND_DAYS, ids=str)
def test_working_weekend_day_is_working(day: date) -> None:
    assert day.weekday() == 5
    assert day in pc.WORKING_WEEKENDS[day.year]
    assert CAL.is_working_day(day)


@pytest.mark.parametrize("day", SHORTENED_DAYS, ids=str)
def test_shortened_day_has_seven_working_hours(day: date) -> None:
    assert day in pc.SHORTENED[day.year]
    assert CAL.working_hours(day) == SEVEN_HOURS


@pytest.mark.parametrize("year", DECREE_YEARS)
def test_tables_hold_exactly_the_dates_of_calendar_md(year: int) -> None:
    def of_year(days: list[date]) -> set[date]:
        return {day for day in days if day.year == year}

    assert pc.DAYS_OFF[year] == of_year(NON_WORKING)
    assert pc.WORKING_WEEKENDS[year] == of_year(WORKING_WEEKEND_DAYS)
    assert pc.SHORTENED[year] == of_year(SHORTENED_DAYS)


@pytest.mark.parametrize("year", DECREE_YEARS)
def test_year_has_247_working_days_and_118_days_off(year: int) -> None:
    working = [day for day in days_of(year) if CAL.is_working_day(day)]
    assert (len(working), len(days_of(year)) - len(working)) == (247, 118)
    table = pc.decree_year(year)
    assert table is not None
    assert sum(table.is_working_day(day) for day in days_of(year)) == 247


@pytest.mark.parametrize("year", DECREE_YEARS)
def test_other_working_days_are_full_eight_hours(year: int) -> None:
    lengths = {
        day: CAL.working_hours(day)
        for day in days_of(year)
        if CAL.is_working_day(day) and day not in pc.SHORTENED[year]
    }
    assert set(lengths.values()) == {EIGHT_HOURS}


@pytest.mark.parametrize("year", DECREE_YEARS)
def test_shortened_days_are_working_days(year: int) -> None:
    assert all(CAL.is_working_day(day) for day in pc.SHORTENED[year])


@pytest.mark.parametrize("year", DECREE_YEARS)
def test_working_status_matches_the_holidays_package_every_day(year: int) -> None:
    reference = holidays.RU(years=year)
    differences = [
        day for day in days_of(year) if reference.is_working_day(day) != CAL.is_working_day(day)
    ]
    assert differences == []


@pytest.mark.parametrize("year", DECREE_YEARS)
def test_tables_equal_the_holidays_package_dates(year: int) -> None:
    reference = holidays.RU(years=year)
    assert pc.DAYS_OFF[year] == set(reference)
    assert pc.WORKING_WEEKENDS[year] == {d for d in reference.weekend_workdays if d.year == year}


@pytest.mark.parametrize("year", DECREE_YEARS)
def test_every_art112_holiday_is_in_the_decree_tables(year: int) -> None:
    assert pc.holidays_of(year) <= pc.DAYS_OFF[year]


# The Labour Code fallback, for years without a decree.


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calendar_module, "_WARNED_YEARS", set())


@pytest.mark.usefixtures("fresh_warnings")
@pytest.mark.parametrize("day", [date(2028, 1, n) for n in range(1, 9)], ids=str)
def test_fallback_new_year_holidays_are_off(day: date) -> None:
    assert not CAL.is_working_day(day)


@pytest.mark.usefixtures("fresh_warnings")
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2028, 1, 10), True),  # Monday after the New Year holidays
        (date(2028, 2, 23), False),  # Wednesday
        (date(2028, 3, 8), False),  # Wednesday
        (date(2028, 5, 1), False),  # a Monday
        (date(2028, 5, 9), False),  # Tuesday
        (date(2028, 6, 12), False),  # a Monday
        (date(2028, 11, 4), False),  # a Saturday...
        (date(2028, 11, 6), False),  # ...moved to Monday
        (date(2028, 11, 7), True),
        (date(2030, 2, 25), False),  # Sat Feb 23 2030 moved to Monday
        (date(2024, 11, 4), False),
    ],
    ids=str,
)
def test_fallback_working_status(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


@pytest.mark.usefixtures("fresh_warnings")
@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2028, 2, 22), SEVEN_HOURS),  # before Wed Feb 23
        (date(2028, 3, 7), SEVEN_HOURS),
        (date(2028, 5, 8), SEVEN_HOURS),  # before Tue May 9
        (date(2028, 11, 3), SEVEN_HOURS),  # Friday before Sat Nov 4
        (date(2028, 4, 28), EIGHT_HOURS),  # Friday before Mon May 1: not the day before
        (date(2028, 6, 9), EIGHT_HOURS),  # Friday before Mon Jun 12
        (date(2029, 12, 31), SEVEN_HOURS),  # Monday before next year's Jan 1
    ],
    ids=str,
)
def test_fallback_shortens_the_day_before_a_holiday(day: date, hours: timedelta) -> None:
    assert CAL.working_hours(day) == hours


def test_fallback_tables_for_2028() -> None:
    year = pc.art112_year(2028)
    assert year.days_off == pc.holidays_of(2028) | {date(2028, 11, 6)}
    assert year.working_weekends == frozenset()
    assert year.shortened == {
        date(2028, 2, 22),
        date(2028, 3, 7),
        date(2028, 5, 8),
        date(2028, 11, 3),
    }


def test_fallback_moves_each_weekend_holiday_to_the_next_monday() -> None:
    year = pc.art112_year(2026)  # Sun Mar 8 and Sat May 9 in 2026
    assert {date(2026, 3, 9), date(2026, 5, 11)} <= year.days_off
    assert year.decree is None


def test_fallback_matches_the_decree_where_the_decree_only_applies_art112() -> None:
    # 2026's only transfers are the January ones; the rest is plain art. 112.
    decree = pc.DAYS_OFF[2026] - {date(2026, 1, 9), date(2026, 12, 31)}
    assert pc.art112_year(2026).days_off == decree


def test_fallback_year_warns_once_per_year(
    fresh_warnings: None, caplog: pytest.LogCaptureFixture
) -> None:
    first = WorkingCalendar.russian("Europe/Moscow")
    other = WorkingCalendar.russian("Asia/Novosibirsk")
    with caplog.at_level(logging.WARNING, logger="workflow.calendar"):
        for day in days_of(2028):
            first.is_working_day(day)
            other.is_working_day(day)
        first.is_working_day(date(2024, 5, 6))
        other.is_working_day(date(2024, 5, 7))
        first.is_working_day(date(2026, 5, 6))
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert "2028" in messages[0] and "configuration" in messages[0]
    assert "2024" in messages[1]
    assert all(record.levelno == logging.WARNING for record in caplog.records)


def test_decree_year_does_not_warn(fresh_warnings: None, caplog: pytest.LogCaptureFixture) -> None:
    calendar = WorkingCalendar.russian("Europe/Moscow")
    with caplog.at_level(logging.WARNING, logger="workflow.calendar"):
        for year in DECREE_YEARS:
            for day in days_of(year):
                calendar.is_working_day(day)
    assert caplog.records == []


def test_deadline_running_into_a_year_without_data_warns(
    fresh_warnings: None, caplog: pytest.LogCaptureFixture
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    calendar = WorkingCalendar.russian("Europe/Moscow")
    start = datetime(2027, 12, 30, 17, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    with caplog.at_level(logging.WARNING, logger="workflow.calendar"):
        due = calendar.add(start, timedelta(hours=3))
    # Thu Dec 30 17:00–18:00, Dec 31 off (decree), Jan 1–9 2028 off (fallback), Mon Jan 10.
    assert due == datetime(2028, 1, 10, 11, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    assert ["2028" in record.getMessage() for record in caplog.records] == [True]
