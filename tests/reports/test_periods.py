"""The report periods: the picker's choices, typed dates, the previous period."""

from __future__ import annotations

from datetime import date

import pytest

from workflow.rating import RatingWeights
from workflow.report_periods import Period, PeriodChoice, PeriodError, parse_period, period_for

TODAY = date(2026, 12, 2)  # a Wednesday


@pytest.mark.parametrize(
    ("choice", "first", "last"),
    [
        (PeriodChoice.THIS_WEEK, date(2026, 11, 30), TODAY),
        (PeriodChoice.LAST_WEEK, date(2026, 11, 23), date(2026, 11, 29)),
        (PeriodChoice.THIS_MONTH, date(2026, 12, 1), TODAY),
        (PeriodChoice.LAST_MONTH, date(2026, 11, 1), date(2026, 11, 30)),
        (PeriodChoice.THIS_QUARTER, date(2026, 10, 1), TODAY),
        (PeriodChoice.LAST_QUARTER, date(2026, 7, 1), date(2026, 9, 30)),
    ],
)
def test_picker_periods(choice: PeriodChoice, first: date, last: date) -> None:
    assert period_for(choice, TODAY) == Period(first, last)


def test_last_quarter_in_january_is_the_fourth_of_last_year() -> None:
    assert period_for(PeriodChoice.LAST_QUARTER, date(2027, 1, 11)) == Period(
        date(2026, 10, 1), date(2026, 12, 31)
    )


@pytest.mark.parametrize(
    "text", ["01.11.2026–30.11.2026", "1.11.2026 - 30.11.2026", "01.11.2026—30.11.2026",
             " 01.11.2026..30.11.2026 "],
)  # fmt: skip
def test_typed_dates(text: str) -> None:
    assert parse_period(text) == Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ноябрь", "period.bad_format"),
        ("01.11.2026", "period.bad_format"),
        ("31.11.2026–30.12.2026", "period.bad_date"),
        ("30.11.2026–01.11.2026", "period.reversed"),
        ("01.01.2020–01.01.2026", "period.too_long"),
    ],
)
def test_bad_typed_dates_say_why(text: str, code: str) -> None:
    with pytest.raises(PeriodError, match=code):
        parse_period(text)


def test_previous_period_of_the_same_kind() -> None:
    november = Period(date(2026, 11, 1), date(2026, 11, 30))
    assert november.previous() == Period(date(2026, 10, 1), date(2026, 10, 31))
    quarter = Period(date(2026, 10, 1), date(2026, 12, 31))
    assert quarter.previous() == Period(date(2026, 7, 1), date(2026, 9, 30))
    week = Period(date(2026, 11, 23), date(2026, 11, 29))
    assert week.previous() == Period(date(2026, 11, 16), date(2026, 11, 22))


def test_rating_weights_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="not all zero"):
        RatingWeights(in_time=0, speed=0, quality=0)
    with pytest.raises(ValueError, match="at least 1"):
        RatingWeights(minimum=0)


def test_rating_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from bot.settings import Settings

    monkeypatch.chdir(str(tmp_path))  # no stray .env
    for name in ("RATING_WEIGHT_IN_TIME", "RATING_WEIGHT_SPEED", "RATING_WEIGHT_QUALITY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RATING_MIN_INCIDENTS", "3")
    monkeypatch.setenv("RATING_WEIGHT_SPEED", "0")
    weights = Settings().rating_weights()
    assert (weights.minimum, weights.speed, weights.in_time) == (3, 0.0, 0.5)
    monkeypatch.setenv("RATING_WEIGHT_IN_TIME", "0")
    monkeypatch.setenv("RATING_WEIGHT_QUALITY", "0")
    with pytest.raises(ValueError, match="at least one rating weight"):
        Settings()
