"""The official pages' figures of a report period (issue 14 item 6), pure.

Per page: the posts of each working week (Monday–Sunday, in the page's organisation's zone)
against its weekly quota; per organisation and for the whole administration: the weeks the
quota was met out of the weeks judged, and the reports of a created or deleted page (001
п.3.3.2, п.3.2.4: 2 and 3 working days) made on time or late.

Which weeks: those whose Thursday lies in the period (the ISO rule: a week belongs to the
period that holds most of its days, so consecutive periods share no week); a running
period also shows the running week it ends in, not judged yet. A week is judged
when it is over at the report's moment and the page lived all of it: the week of its
creation and the week of its deletion are not judged, nor any outside its life.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from workflow.pages import week_bounds, week_start


class WeekState(StrEnum):
    MET = "met"
    UNMET = "unmet"
    RUNNING = "running"  # not over at the report's moment, or the page's first or last week
    ABSENT = "absent"  # the page did not exist that week


@dataclass(frozen=True, slots=True)
class LifecycleReport:
    """A report of a created or deleted page, as its duty row keeps it."""

    kind: str  # DutyKind.REPORT_SECTOR or REPORT_REGION value
    change: str | None  # created | deleted
    started_at: datetime | None
    due_at: datetime | None
    done_at: datetime | None

    def on_time(self, now: datetime) -> bool | None:
        """True: done by its due moment; False: done after it, or still undone past it;
        None: neither yet (running, or its clock not settled)."""
        if self.done_at is not None:
            return self.due_at is None or self.done_at <= self.due_at
        if self.due_at is not None and self.due_at < now:
            return False
        return None


@dataclass(frozen=True, slots=True)
class PageFacts:
    page_id: int
    org_code: str
    url: str
    title: str | None
    network: str
    kind: str
    quota: int  # the page's own weekly quota, else its kind's
    posts: tuple[datetime, ...]  # the publications counted around the period
    created_at: datetime | None = None  # its latest creation; None: before any week
    deleted_at: datetime | None = None  # its deletion; None: alive
    active: bool = True  # False with deleted_at None: deleted, when unknown (long ago)
    reports: tuple[LifecycleReport, ...] = ()  # those started in the period


@dataclass(frozen=True, slots=True)
class PageWeek:
    monday: date
    posts: int
    state: WeekState


@dataclass(frozen=True, slots=True)
class PageRow:
    page: PageFacts
    weeks: tuple[PageWeek, ...]
    reports_on_time: int
    reports_late: int

    @property
    def judged(self) -> int:
        return sum(1 for week in self.weeks if week.state in (WeekState.MET, WeekState.UNMET))

    @property
    def met(self) -> int:
        return sum(1 for week in self.weeks if week.state is WeekState.MET)

    @property
    def posts(self) -> int:
        """Posts of the weeks the page lived (running weeks too)."""
        return sum(week.posts for week in self.weeks if week.state is not WeekState.ABSENT)


@dataclass(frozen=True, slots=True)
class PageFigures:
    pages: int = 0
    weeks: int = 0  # page-weeks judged
    weeks_met: int = 0
    posts: int = 0  # in the weeks judged
    expected: int = 0  # the quotas of the weeks judged
    reports_on_time: int = 0
    reports_late: int = 0

    @property
    def quota_share(self) -> float | None:
        return self.weeks_met / self.weeks if self.weeks else None

    @property
    def reports_share(self) -> float | None:
        done = self.reports_on_time + self.reports_late
        return self.reports_on_time / done if done else None

    @property
    def share(self) -> float | None:
        """The rating's page part: the mean of the shares there are (None: nothing to judge,
        so the organisation is neither helped nor penalised)."""
        shares = [s for s in (self.quota_share, self.reports_share) if s is not None]
        return sum(shares) / len(shares) if shares else None


@dataclass(frozen=True, slots=True)
class PagePeriod:
    weeks: tuple[date, ...] = ()  # the Mondays of the period's weeks
    rows: tuple[PageRow, ...] = ()
    per_org: dict[str, PageFigures] = field(default_factory=dict)
    total: PageFigures = PageFigures()

    def shares(self) -> dict[str, float | None]:
        return {code: fig.share for code, fig in self.per_org.items()}


def period_weeks(first: date, last: date) -> tuple[date, ...]:
    """The Mondays of the weeks whose Thursday lies in first…last (both included)."""
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        if first <= monday + timedelta(days=3) <= last:
            weeks.append(monday)
        monday += timedelta(days=7)
    return tuple(weeks)


def report_weeks(first: date, last: date, today: date) -> tuple[date, ...]:
    """The period's weeks; and while the week of its last day is still running (`today`,
    the centre's date), that week too, to be shown (it is not over, so it is not judged:
    once it is, it counts in the period that holds its Thursday, and there only)."""
    weeks = period_weeks(first, last)
    running = last - timedelta(days=last.weekday())
    if running not in weeks and today < running + timedelta(days=7):
        weeks += (running,)
    return weeks


def posts_window(weeks: tuple[date, ...]) -> tuple[datetime, datetime] | None:
    """Moments wide enough to hold the posts of those weeks in any zone (a day each side)."""
    if not weeks:
        return None
    start = datetime.combine(weeks[0] - timedelta(days=1), time(0), UTC)
    end = datetime.combine(weeks[-1] + timedelta(days=8), time(0), UTC)
    return start, end


def _state(page: PageFacts, start: datetime, end: datetime, count: int, now: datetime) -> WeekState:
    if not page.active and page.deleted_at is None:
        return WeekState.ABSENT
    if page.deleted_at is not None and page.deleted_at < start:
        return WeekState.ABSENT
    if page.created_at is not None and page.created_at >= end:
        return WeekState.ABSENT
    born_within = page.created_at is not None and page.created_at > start
    died_within = page.deleted_at is not None and page.deleted_at < end
    if end > now or born_within or died_within:
        return WeekState.RUNNING
    return WeekState.MET if count >= page.quota else WeekState.UNMET


def page_row(page: PageFacts, weeks: Iterable[date], tz: ZoneInfo, now: datetime) -> PageRow:
    counts: dict[date, int] = {}
    for moment in page.posts:
        monday = week_start(moment, tz)
        counts[monday] = counts.get(monday, 0) + 1
    found = []
    for monday in weeks:
        start, end = week_bounds(monday, tz)
        count = counts.get(monday, 0)
        found.append(PageWeek(monday, count, _state(page, start, end, count, now)))
    outcomes = [report.on_time(now) for report in page.reports]
    return PageRow(page, tuple(found), outcomes.count(True), outcomes.count(False))


def _figures(rows: Iterable[PageRow]) -> PageFigures:
    pages = weeks = met = posts = expected = on_time = late = 0
    for row in rows:
        pages += 1
        judged = [w for w in row.weeks if w.state in (WeekState.MET, WeekState.UNMET)]
        weeks += len(judged)
        met += sum(1 for w in judged if w.state is WeekState.MET)
        posts += sum(w.posts for w in judged)
        expected += row.page.quota * len(judged)
        on_time += row.reports_on_time
        late += row.reports_late
    return PageFigures(pages, weeks, met, posts, expected, on_time, late)


def page_period(
    pages: Iterable[PageFacts],
    first: date,
    last: date,
    now: datetime,
    zones: Mapping[str, ZoneInfo],
    centre: ZoneInfo,
) -> PagePeriod:
    """The figures of the period first…last: a row per page that lived in one of its weeks
    or had a report started in it, and the sums per organisation and in all."""
    weeks = report_weeks(first, last, now.astimezone(centre).date())
    rows = []
    for page in pages:
        row = page_row(page, weeks, zones.get(page.org_code, centre), now)
        lived = any(week.state is not WeekState.ABSENT for week in row.weeks)
        if lived or page.reports:
            rows.append(row)
    rows.sort(key=lambda r: (r.page.org_code, r.page.url))
    per_org: dict[str, list[PageRow]] = {}
    for row in rows:
        per_org.setdefault(row.page.org_code, []).append(row)
    return PagePeriod(
        weeks=weeks,
        rows=tuple(rows),
        per_org={code: _figures(found) for code, found in per_org.items()},
        total=_figures(rows),
    )
