"""WorkingCalendar by example: adding, subtracting and counting working time, working moments and
hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.calendar_helpers import BERLIN, MOSCOW, MSK, NOVOSIBIRSK, NSK, H, M, msk, nsk
from workflow.calendar import WorkingCalendar


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
