"""The official pages' part of a period report (issue 14 item 6): the facts read in the
report's unit of work, counted per week in each page's organisation's zone
(workflow/page_figures.py)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from db.uow import UnitOfWork
from workflow.calendars import Calendars
from workflow.page_figures import PagePeriod, page_period, posts_window, report_weeks
from workflow.pages import PagePolicy
from workflow.report_periods import Period


def _zone(calendars: Calendars, org_code: str, centre: ZoneInfo) -> ZoneInfo:
    zone = getattr(calendars.for_org(org_code), "tz", None)
    return zone if isinstance(zone, ZoneInfo) else centre


async def read_page_period(
    uow: UnitOfWork,
    period: Period,
    org_code: str | None,
    now: datetime,
    centre: ZoneInfo,
    calendars: Calendars,
    policy: PagePolicy,
) -> PagePeriod:
    """The pages of the scope in the period's weeks; the created/deleted reports started on
    the period's dates (the centre's)."""
    today = now.astimezone(centre).date()
    window = posts_window(report_weeks(period.first, period.last, today))
    first = datetime.combine(period.first, time(0), centre)
    end = datetime.combine(period.end, time(0), centre)
    posts = window or (first, first)
    facts = await uow.pages.report_facts(posts, (first, end), org_code, policy, now)
    zones = {code: _zone(calendars, code, centre) for code in {f.org_code for f in facts}}
    return page_period(facts, period.first, period.last, now, zones, centre)
