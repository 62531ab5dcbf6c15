"""Drawing a report row (`OutboxKind.REPORT`) when the sender sends it: the summary as text,
the chart as a photo, the table as a document; the files are uploaded with the message.

The three rows of one request (and the same scheduled report to every manager) are drawn
from one reading of the figures, kept a minute.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime

from bot.outbox.render import Media, Rendered
from bot.services.calendars import CalendarConfig
from bot.services.period_reports import (
    PeriodReport,
    build_period_report,
    period_of,
    with_incidents,
)
from bot.views.format import Translate
from bot.views.report_chart import chart_png
from bot.views.report_table import file_name, xlsx_bytes
from bot.views.report_text import summary_text, title
from db.models import OutboxRow
from db.uow import UnitOfWork
from workflow.model import MediaKind
from workflow.pages import PagePolicy
from workflow.rating import RatingWeights

KEEP_SECONDS = 60.0
CHART_FILE = "chart.png"
KEEP_REPORTS = 8


class ReportRenderer:
    def __init__(
        self,
        calendar_config: CalendarConfig,
        weights: RatingWeights,
        now: Callable[[], datetime],
        page_policy: PagePolicy | None = None,
    ) -> None:
        self.calendar_config = calendar_config
        self.weights = weights
        self.page_policy = page_policy
        self._now = now
        self._kept: dict[tuple[str, str, str | None], tuple[float, PeriodReport]] = {}

    async def _report(self, uow: UnitOfWork, row: OutboxRow) -> PeriodReport:
        period, scope = period_of(row.params)
        key = (period.first.isoformat(), period.last.isoformat(), scope)
        kept = self._kept.get(key)
        if kept is not None and time.monotonic() - kept[0] < KEEP_SECONDS:
            return kept[1]
        # Each incident's facts only for the table (read then, and kept with the report).
        report = await build_period_report(
            uow,
            period,
            scope,
            self._now(),
            self.calendar_config,
            self.weights,
            self.page_policy,
            incidents=False,
        )
        if len(self._kept) >= KEEP_REPORTS:
            self._kept.clear()
        self._kept[key] = (time.monotonic(), report)
        return report

    async def _with_incidents(self, uow: UnitOfWork, report: PeriodReport) -> PeriodReport:
        full = await with_incidents(uow, report, self.calendar_config)
        key = (report.period.first.isoformat(), report.period.last.isoformat(), report.org_code)
        kept = self._kept.get(key)
        if kept is not None and kept[1] is report:
            self._kept[key] = (kept[0], full)
        return full

    async def render(self, uow: UnitOfWork, row: OutboxRow, t: Translate, locale: str) -> Rendered:
        report = await self._report(uow, row)
        part = row.params.get("part")
        title_key = str(row.params.get("title") or "reports.title")
        heading = title(report, t, title_key)
        if part == "chart":
            png = await asyncio.to_thread(chart_png, report, t, heading)
            return Rendered(
                t("reports.chart", title=heading),
                media=(Media(MediaKind.PHOTO, "", data=png, filename=CHART_FILE),),
            )
        if part == "table":
            report = await self._with_incidents(uow, report)
            data = await asyncio.to_thread(xlsx_bytes, report, t)
            return Rendered(
                t("reports.table", title=heading),
                media=(
                    Media(MediaKind.DOCUMENT, "", data=data, filename=file_name(report, "xlsx")),
                ),
            )
        return Rendered(
            summary_text(report, t, self.weights, comma=locale == "ru", title_key=title_key)
        )
