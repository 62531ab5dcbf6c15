"""The figures of a period (issue 13): per organisation and for the whole administration,
the rating with its change since the previous period, the weekly trend; who may see what;
and asking for a report, which writes its rows through the one outbox writer.

The rows (`OutboxKind.REPORT`: a summary, a chart, a table) are rendered when they are sent,
like every other row (bot/views/renderer.py), from the period and the scope in their
parameters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.calendars import CalendarConfig, load_calendars
from bot.services.outbox_writer import OutboxWriter
from bot.services.page_reports import read_page_period
from db.directory_snapshot import PersonView
from db.outbox_repository import OutboxKind, Priority
from db.uow import UnitOfWork
from workflow.calendar import WorkingCalendar
from workflow.calendars import Calendars
from workflow.model import Party
from workflow.page_figures import PagePeriod
from workflow.pages import PagePolicy
from workflow.rating import Rating, RatingWeights, rate
from workflow.report_figures import Figures, IncidentFacts, WeekPoint
from workflow.report_periods import Period, PeriodChoice, PeriodError, parse_period, period_for
from workflow.report_sums import PeriodSums, period_sums
from workflow.roles import CURATOR_ROLES, Role

REPORT_PARTS = ("summary", "chart", "table")
ALL_READERS = frozenset({*CURATOR_ROLES, Role.MANAGER, Role.ADMIN})


class UnknownOrganisation(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class ReportRefused(Exception):
    """The person may not have this report; `code` names the catalogue text."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def report_scope(person: PersonView | None, org_code: str | None = None) -> str | None:
    """The organisation whose figures the person may see (None: the whole administration).

    Curators, managers and administrators see everything (or the one organisation they ask
    for); a responsible official sees their own organisation only; nobody else sees any."""
    if person is None:
        raise ReportRefused("reports.refused")
    if person.roles & ALL_READERS:
        return org_code
    if Role.RESPONSIBLE in person.roles and person.org_code:
        if org_code not in (None, person.org_code):
            raise ReportRefused("reports.own_org_only")
        return person.org_code
    raise ReportRefused("reports.refused")


@dataclass(frozen=True, slots=True)
class PeriodReport:
    period: Period
    org_code: str | None  # None: the whole administration
    now: datetime
    tz: ZoneInfo  # the centre's: dates in the report are its dates
    total: Figures
    per_org: dict[str, Figures]
    rating: Rating
    weeks: list[WeekPoint]
    facts: list[IncidentFacts] | None  # each incident, for the table (None: not read)
    names: dict[str, str] = field(default_factory=dict)  # organisation code -> name
    pages: PagePeriod = field(default_factory=PagePeriod)  # the official pages' figures

    def org_name(self, code: str) -> str:
        return self.names.get(code, code)


def _bounds(period: Period, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return (
        datetime.combine(period.first, time(0), tz),
        datetime.combine(period.end, time(0), tz),
    )


def _elapsed(calendars: Calendars) -> Callable[[str | None, datetime, datetime], timedelta]:
    """Working time between two moments, each span counted once per report (the total and
    each organisation's figures ask for the same spans)."""
    known: dict[tuple[str | None, datetime, datetime], timedelta] = {}

    def elapsed(org_code: str | None, start: datetime, end: datetime) -> timedelta:
        key = (org_code, start, end)
        value = known.get(key)
        if value is None:
            if org_code is None:  # the answer clock counts on the centre's calendar
                value = calendars.elapsed(Party.EVERYONE, None, start, end)
            else:
                value = calendars.elapsed(Party.ORGANISATION, org_code, start, end)
            known[key] = value
        return value

    return elapsed


async def build_period_report(
    uow: UnitOfWork,
    period: Period,
    org_code: str | None,
    now: datetime,
    config: CalendarConfig,
    weights: RatingWeights,
    page_policy: PagePolicy | None = None,
    *,
    incidents: bool = True,
) -> PeriodReport:
    """The report of a period, read in the caller's unit of work (the sender's, when a row
    is rendered; the CLI's); each incident's facts too if `incidents` (the table needs
    them, the summary and the chart do not: `with_incidents` reads them later)."""
    tz = ZoneInfo(config.timezone)
    calendars = await load_calendars(uow.directory, config)
    elapsed = _elapsed(calendars)
    organisations = await uow.directory.organisations()
    names = {org.code: org.name for org in organisations}
    codes = [org.code for org in organisations if not org.is_centre]
    if org_code is not None:
        codes = [org_code]
    policy = page_policy or PagePolicy()
    pages = await read_page_period(uow, period, org_code, now, tz, calendars, policy)
    pages_before = await read_page_period(
        uow, period.previous(), org_code, now, tz, calendars, policy
    )
    centre = calendars.centre if isinstance(calendars.centre, WorkingCalendar) else None
    bounds, before_bounds = _bounds(period, tz), _bounds(period.previous(), tz)

    async def previous_sums() -> PeriodSums:
        before = await uow.reports.period_rows(
            *before_bounds, now, org_code, for_rating=True, apart=True
        )
        return await asyncio.to_thread(period_sums, before, codes, centre, elapsed)

    # The previous period (for the rating) is read on a connection of its own while this
    # one is read, and the sums run in worker threads: the database's work and ours
    # overlap; meanwhile the bot's loop keeps turning.
    tasks = [asyncio.ensure_future(previous_sums())]
    try:
        rows = await uow.reports.period_rows(*bounds, now, org_code)
        tasks.append(
            asyncio.ensure_future(
                asyncio.to_thread(period_sums, rows, codes, centre, elapsed, period.weeks(), tz)
            )
        )
        facts = await uow.reports.period_facts(*bounds, org_code) if incidents else None
        previous, sums = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return _report(
        period, org_code, now, tz, sums, previous, facts, names, weights, (pages, pages_before)
    )


async def with_incidents(
    uow: UnitOfWork, report: PeriodReport, config: CalendarConfig
) -> PeriodReport:
    """The report with each incident's facts (for the table), read if they were not."""
    if report.facts is not None:
        return report
    bounds = _bounds(report.period, ZoneInfo(config.timezone))
    return replace(report, facts=await uow.reports.period_facts(*bounds, report.org_code))


def _report(
    period: Period,
    org_code: str | None,
    now: datetime,
    tz: ZoneInfo,
    sums: PeriodSums,
    before: PeriodSums,
    facts: list[IncidentFacts] | None,
    names: dict[str, str],
    weights: RatingWeights,
    pages: tuple[PagePeriod, PagePeriod] = (PagePeriod(), PagePeriod()),
) -> PeriodReport:
    per_org = {
        code: fig for code, fig in sums.per_org.items() if org_code is None or code == org_code
    }
    previous = {  # for the rating only
        code: fig for code, fig in before.per_org.items() if org_code is None or code == org_code
    }
    total = sums.total if org_code is None else per_org.get(org_code, Figures())
    return PeriodReport(
        period=period,
        org_code=org_code,
        now=now,
        tz=tz,
        total=total,
        per_org=per_org,
        rating=rate(per_org, weights, previous, pages[0].shares(), pages[1].shares()),
        weeks=sums.weeks,
        facts=facts,
        names=names,
        pages=pages[0],
    )


def report_params(period: Period, org_code: str | None, part: str, **extra: str) -> dict[str, str]:
    params = {"part": part, "first": period.first.isoformat(), "last": period.last.isoformat()}
    if org_code is not None:
        params["scope"] = org_code
    params.update(extra)
    return params


def period_of(params: dict[str, object]) -> tuple[Period, str | None]:
    """The period and scope a report row was written for."""
    first = date.fromisoformat(str(params["first"]))
    last = date.fromisoformat(str(params["last"]))
    scope = params.get("scope")
    return Period(first, last), str(scope) if scope else None


class PeriodReports:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        calendar_config: CalendarConfig,
        weights: RatingWeights,
        *,
        default_locale: str = "ru",
        on_committed: Callable[[], None] = lambda: None,
        page_policy: PagePolicy | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self.calendar_config = calendar_config
        self.weights = weights
        self.page_policy = page_policy
        self._writer = OutboxWriter(default_locale)
        self._on_committed = on_committed

    def today(self) -> date:
        return self._clock.now().astimezone(ZoneInfo(self.calendar_config.timezone)).date()

    async def build(
        self, period: Period, org_code: str | None = None, *, incidents: bool = True
    ) -> PeriodReport:
        async with UnitOfWork(self._sessions) as uow:
            return await build_period_report(
                uow,
                period,
                org_code,
                self._clock.now(),
                self.calendar_config,
                self.weights,
                self.page_policy,
                incidents=incidents,
            )

    async def known_org(self, org_code: str) -> bool:
        async with UnitOfWork(self._sessions) as uow:
            return any(org.code == org_code for org in await uow.directory.organisations())

    def allowed(self, person: PersonView | None) -> None:
        """Raise ReportRefused unless the person may ask for reports at all."""
        report_scope(person)

    async def request_choice(
        self, person: PersonView | None, chat_id: int, locale: str | None, choice: str
    ) -> Period:
        """The report of a picked period (this week, last month, …); returns the period."""
        try:
            picked = PeriodChoice(choice)
        except ValueError:
            raise PeriodError("period.bad_format") from None
        period = period_for(picked, self.today())
        await self.request(person, chat_id, locale, period)
        return period

    async def request_typed(
        self, person: PersonView | None, chat_id: int, locale: str | None, text: str
    ) -> Period:
        """`01.11.2026–30.11.2026 [CODE]`: the report of typed dates, of one organisation
        if a code follows (raises PeriodError, ReportRefused, UnknownOrganisation)."""
        dates, _, code = text.strip().partition(" ")
        if code.strip() and " " not in code.strip() and "." not in code:
            org_code: str | None = code.strip()
        else:
            dates, org_code = text, None
        period = parse_period(dates)
        if org_code is not None and not await self.known_org(org_code):
            raise UnknownOrganisation(org_code)
        await self.request(person, chat_id, locale, period, org_code)
        return period

    async def request(
        self,
        person: PersonView | None,
        chat_id: int,
        locale: str | None,
        period: Period,
        org_code: str | None = None,
    ) -> None:
        """The report for the person's chat: its summary, chart and table, in that order
        (raises ReportRefused when the person may not see it)."""
        scope = report_scope(person, org_code)
        async with UnitOfWork(self._sessions) as uow:
            await write_report_rows(
                self._writer, uow, chat_id, locale, period, scope, self._clock.now()
            )
        self._on_committed()


async def write_report_rows(
    writer: OutboxWriter,
    uow: UnitOfWork,
    chat_id: int,
    locale: str | None,
    period: Period,
    org_code: str | None,
    now: datetime,
    *,
    title: str = "reports.title",
    priority: Priority = Priority.REPLY,
) -> None:
    for part in REPORT_PARTS:
        await writer.text(
            uow,
            chat_id,
            f"reports.{part}",
            now,
            params=report_params(period, org_code, part, title=title),
            locale=locale,
            priority=priority,
            kind=OutboxKind.REPORT,
        )
