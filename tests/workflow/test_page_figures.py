"""The official pages' figures of a period (issue 14 item 6) and their part in the rating,
computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflow.page_figures import (
    LifecycleReport,
    PageFacts,
    PageFigures,
    WeekState,
    page_period,
    page_row,
    period_weeks,
)
from workflow.rating import RatingWeights, rate, score
from workflow.report_figures import Figures

MSK = ZoneInfo("Europe/Moscow")
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
AFTER_Q4 = datetime(2027, 1, 11, tzinfo=UTC)


def msk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=MSK)  # type: ignore[misc]


def page(**values: object) -> PageFacts:
    base: dict[str, object] = {
        "page_id": 1,
        "org_code": "roads",
        "url": "https://vk.com/club1",
        "title": None,
        "network": "vk",
        "kind": "organisation",
        "quota": 3,
        "posts": (),
    }
    return PageFacts(**{**base, **values})  # type: ignore[arg-type]


def test_weeks_belong_to_the_period_that_holds_their_thursday() -> None:
    quarter = period_weeks(date(2026, 10, 1), date(2026, 12, 31))
    assert quarter[0] == date(2026, 9, 28)  # Thursday 1 October
    assert quarter[-1] == date(2026, 12, 28)  # Thursday 31 December
    assert len(quarter) == 14
    november = period_weeks(date(2026, 11, 1), date(2026, 11, 30))
    assert november == tuple(date(2026, 11, 2) + timedelta(weeks=n) for n in range(4))
    assert period_weeks(date(2026, 11, 30), date(2026, 12, 2)) == ()  # no Thursday in it


def test_a_running_period_shows_its_running_week() -> None:
    tuesday = msk(2026, 12, 1, 15)
    this_week = page(posts=(msk(2026, 11, 30, 12), msk(2026, 12, 1, 9)))
    found = page_period([this_week], date(2026, 11, 30), date(2026, 12, 1), tuesday, {}, MSK)
    assert found.weeks == (date(2026, 11, 30),)
    assert [(w.posts, w.state) for w in found.rows[0].weeks] == [(2, WeekState.RUNNING)]
    assert found.total == PageFigures(pages=1)  # shown, not judged
    over = page_period([this_week], date(2026, 11, 30), date(2026, 12, 1), AFTER_Q4, {}, MSK)
    assert over.weeks == () and over.rows == ()  # its Thursday is in the next period


def test_posts_counted_per_week_in_the_pages_zone() -> None:
    sunday_night = datetime(2026, 10, 11, 23, 30, tzinfo=VLADIVOSTOK)  # 16:30 in Moscow
    monday_early = datetime(2026, 10, 12, 0, 30, tzinfo=VLADIVOSTOK)  # still Sunday in Moscow
    posts = (msk(2026, 10, 6, 12), msk(2026, 10, 7, 12), sunday_night, monday_early)
    weeks = (date(2026, 10, 5), date(2026, 10, 12))
    in_vladivostok = page_row(page(posts=posts), weeks, VLADIVOSTOK, AFTER_Q4)
    assert [(w.posts, w.state) for w in in_vladivostok.weeks] == [
        (3, WeekState.MET),
        (1, WeekState.UNMET),
    ]
    in_moscow = page_row(page(posts=posts), weeks, MSK, AFTER_Q4)
    assert [w.posts for w in in_moscow.weeks] == [4, 0]


def test_only_whole_weeks_of_the_pages_life_that_are_over_are_judged() -> None:
    weeks = period_weeks(date(2026, 11, 1), date(2026, 11, 30))  # 2, 9, 16, 23 November
    born = page(created_at=msk(2026, 11, 11, 10))  # a Wednesday
    assert [w.state for w in page_row(born, weeks, MSK, AFTER_Q4).weeks] == [
        WeekState.ABSENT,
        WeekState.RUNNING,  # its first week is not judged
        WeekState.UNMET,
        WeekState.UNMET,
    ]
    died = page(active=False, deleted_at=msk(2026, 11, 17, 10))
    assert [w.state for w in page_row(died, weeks, MSK, AFTER_Q4).weeks] == [
        WeekState.UNMET,
        WeekState.UNMET,
        WeekState.RUNNING,
        WeekState.ABSENT,
    ]
    long_gone = page(active=False)
    assert {w.state for w in page_row(long_gone, weeks, MSK, AFTER_Q4).weeks} == {WeekState.ABSENT}
    wednesday = msk(2026, 11, 25, 12)
    running = page_row(page(), weeks, MSK, wednesday)
    assert [w.state for w in running.weeks][-1] is WeekState.RUNNING
    assert running.judged == 3


def test_001_p3_lifecycle_reports_on_time_or_late() -> None:
    due = msk(2026, 12, 4, 18)
    now = msk(2026, 12, 10, 12)

    def report(done: datetime | None, due_at: datetime | None = due) -> LifecycleReport:
        started = None if due_at is None else msk(2026, 12, 2, 10)
        return LifecycleReport("report_sector", "deleted", started, due_at, done)

    assert report(msk(2026, 12, 3, 9)).on_time(now) is True
    assert report(msk(2026, 12, 9, 9)).on_time(now) is False
    assert report(None).on_time(now) is False  # still undone past its due moment
    assert report(None).on_time(msk(2026, 12, 3, 9)) is None  # still running
    assert report(None, None).on_time(now) is None  # its clock not settled yet


def test_sums_per_organisation_and_in_all() -> None:
    quarter_posts = tuple(msk(2026, 10, 6, h) for h in (9, 10, 11))  # week of 5 October: met
    due = msk(2026, 10, 5, 18)
    late = LifecycleReport("report_region", "created", msk(2026, 9, 30), due, msk(2026, 10, 6))
    pages = [
        page(posts=quarter_posts),
        page(page_id=2, url="https://t.me/x", org_code="parks", quota=5, reports=(late,)),
        page(page_id=3, url="https://ok.ru/x", org_code="parks", active=False),  # long gone
    ]
    found = page_period(pages, date(2026, 10, 1), date(2026, 12, 31), AFTER_Q4, {}, MSK)
    assert [row.page.page_id for row in found.rows] == [2, 1]  # the gone page has no row
    assert found.per_org["roads"] == PageFigures(1, 14, 1, 3, 42, 0, 0)
    assert found.per_org["parks"] == PageFigures(1, 14, 0, 0, 70, 0, 1)
    assert found.total == PageFigures(2, 28, 1, 3, 112, 0, 1)
    assert found.per_org["roads"].share == pytest.approx(1 / 14)
    assert found.per_org["parks"].share == pytest.approx(0.0)  # (0/14 + 0/1) / 2
    assert PageFigures().share is None


# --- the rating -------------------------------------------------------------------------------

GOOD = Figures(received=4, in_time=4, late=0, mean_hours=1.0)  # speed 1 - 1/6
FAIR = Figures(received=4, in_time=4, late=0, mean_hours=2.0)  # speed 1 - 2/6


def test_p12_rating_without_the_page_part_is_unchanged() -> None:
    assert score(GOOD, RatingWeights()) == 95.0  # 0.5 + 0.3 * 5/6 + 0.2
    assert score(GOOD, RatingWeights(pages=0.0), pages=0.0) == 95.0
    assert score(GOOD, RatingWeights(pages=0.0), pages=1.0) == 95.0


def test_p12_rating_with_the_page_part() -> None:
    weights = RatingWeights(pages=0.2)
    assert score(GOOD, weights, pages=0.5) == 87.5  # (0.95 + 0.2 * 0.5) / 1.2
    assert score(GOOD, weights, pages=None) == 95.0  # no pages: not penalised
    shares = {"roads": 3 / 14, "parks": (1 / 23 + 1 / 2) / 2}
    per_org = {"roads": GOOD, "parks": FAIR}
    plain = rate(per_org, RatingWeights(pages=0.0), pages=shares)
    assert [(r.org_code, r.score) for r in plain.rows] == [("roads", 95.0), ("parks", 90.0)]
    heavy = rate(per_org, RatingWeights(pages=1.0), pages=shares)
    assert [(r.org_code, r.score) for r in heavy.rows] == [("parks", 58.6), ("roads", 58.2)]
    moved = rate(per_org, RatingWeights(pages=1.0), per_org, pages=shares, previous_pages={})
    assert [(r.org_code, r.place_change) for r in moved.rows] == [("parks", 1), ("roads", -1)]


def test_rating_weights_refuse_a_negative_page_weight() -> None:
    with pytest.raises(ValueError, match="pages' rating weight"):
        RatingWeights(pages=-0.1)
