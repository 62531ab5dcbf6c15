"""A period report as a spreadsheet (XLSX: summary, incidents, returns) or CSV (the summary).

Headers come from the catalogue (Russian first); the header row is frozen and filtered,
columns are sized to their text, moments are real dates in the centre's zone (Excel keeps
no zone, so they are written as local wall-clock times).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.services.period_reports import PeriodReport
from bot.views import page_report
from bot.views.format import Translate
from workflow.report_figures import Clock, Figures, IncidentFacts, is_dismissed

DATE_FORMAT = "DD.MM.YYYY HH:MM"
SHARE_FORMAT = "0%"
MAX_WIDTH = 60

SUMMARY_COLUMNS = (
    "org", "received", "in_time", "in_time_share", "late", "late_share", "without_interim",
    "with_interim", "final_in_time", "mean_hours", "median_hours", "returns",
    "returns_per_incident", "not_ours", "not_ours_minutes", "closed_p21", "dismissed",
    "open_now", "overdue_now", "place", "score", "place_change",
)  # fmt: skip
INCIDENT_COLUMNS = (
    "id", "detected", "status", "importance", "orgs", "routed", "answer_due", "answered",
    "answer_met", "interim", "final_due", "final_answered", "final_met", "returns",
    "declined_by", "no_answer", "url",
)  # fmt: skip
RETURN_COLUMNS = ("incident", "org", "draft", "returned_at", "reasons", "comment")


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def summary_rows(report: PeriodReport, t: Translate) -> list[list[Any]]:
    places = {row.org_code: row for row in report.rating.rows}

    def row(name: str, fig: Figures, code: str | None) -> list[Any]:
        rated = places.get(code) if code else None
        return [
            name, fig.received, fig.in_time, _round(fig.in_time_share, 4), fig.late,
            _round(fig.late_share, 4), fig.without_interim, fig.with_interim, fig.final_in_time,
            _round(fig.mean_hours), _round(fig.median_hours), fig.returns,
            _round(fig.returns_per_incident), fig.not_ours, _round(fig.not_ours_mean_minutes, 1),
            fig.closed_p21, fig.dismissed, fig.open_now, fig.overdue_now,
            rated.place if rated else None, rated.score if rated else None,
            rated.place_change if rated else None,
        ]  # fmt: skip

    order = [r.org_code for r in report.rating.rows]
    order += sorted(code for code in report.per_org if code not in order)
    rows = [row(report.org_name(code), report.per_org[code], code) for code in order]
    if report.org_code is None:
        rows.append(row(t("reports.total"), report.total, None))
    return rows


def _local(moment: datetime | None, report: PeriodReport) -> datetime | None:
    return None if moment is None else moment.astimezone(report.tz).replace(tzinfo=None)


def _yes_no(value: bool | None, t: Translate) -> str | None:
    if value is None:
        return None
    return t("reports.yes") if value else t("reports.no")


def _status(fact: IncidentFacts, t: Translate) -> str:
    if is_dismissed(fact.status):
        return t("reports.status_dismissed")
    return t(f"status.{fact.status}")


def _met(clock: Clock | None, report: PeriodReport) -> bool | None:
    """Met by its due moment, not met, or neither yet (running, or no longer applies)."""
    if clock is None:
        return None
    if clock.met_in_time():
        return True
    return False if clock.late(report.now) else None


def incident_row(fact: IncidentFacts, report: PeriodReport, t: Translate) -> list[Any]:
    answer, final = fact.answer, fact.final
    answer_met, final_met = _met(answer, report), _met(final, report)
    return [
        fact.id,
        _local(fact.detected_at, report),
        _status(fact, t),
        t(f"importance.{fact.importance}"),
        ", ".join(report.org_name(code) for code in fact.orgs),
        _local(fact.routed_at, report),
        _local(answer.due_at if answer else None, report),
        _local(fact.first_answer_at, report),
        _yes_no(answer_met, t),
        _local(fact.interim_at, report),
        _local(final.due_at if final else None, report),
        _local(fact.answer_at if fact.interim_at else None, report),
        _yes_no(final_met, t),
        len(fact.returns),
        ", ".join(report.org_name(d.org_code) for d in fact.declines),
        t(f"no_answer.{fact.no_answer_reason}") if fact.no_answer_reason else None,
        fact.url,
    ]


def _facts(report: PeriodReport) -> list[IncidentFacts]:
    if report.facts is None:
        raise ValueError("the table needs each incident's facts: build the report with them")
    return report.facts


def return_rows(report: PeriodReport, t: Translate) -> list[list[Any]]:
    return [
        [
            fact.id,
            report.org_name(item.org_code),
            item.draft_number,
            _local(item.at, report),
            "; ".join(t(f"reason.{reason}") for reason in item.reasons),
            item.comment,
        ]
        for fact in _facts(report)
        for item in fact.returns
        if report.org_code is None or item.org_code == report.org_code
    ]


def _widths(headers: Sequence[str], rows: list[list[Any]]) -> list[int]:
    widths = [len(header) for header in headers]
    for row in rows[:500]:  # the first rows tell the width well enough
        for index, value in enumerate(row):
            length = 16 if isinstance(value, datetime) else len(str(value or ""))
            widths[index] = max(widths[index], length)
    return [min(MAX_WIDTH, max(8, width + 2)) for width in widths]


def _sheet(
    book: Workbook,
    title: str,
    headers: Sequence[str],
    rows: list[list[Any]],
    formats: dict[int, str] | None = None,
) -> None:
    """One sheet, streamed (write-only: a year of incidents fits in memory and in time);
    sizes, the frozen header and the filter are set before the rows, as streaming needs."""
    sheet = book.create_sheet(title[:31])
    for index, width in enumerate(_widths(headers, rows), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows) + 1)}"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    formats = formats or {}
    for values in rows:
        row: list[Any] = []
        for index, value in enumerate(values):
            number_format = DATE_FORMAT if isinstance(value, datetime) else formats.get(index)
            if number_format is not None and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                row.append(cell)
            else:
                row.append(value)
        sheet.append(row)


def xlsx_bytes(report: PeriodReport, t: Translate) -> bytes:
    facts = _facts(report)  # before the streamed book opens its files
    book = Workbook(write_only=True)
    shares = {SUMMARY_COLUMNS.index("in_time_share"): SHARE_FORMAT,
              SUMMARY_COLUMNS.index("late_share"): SHARE_FORMAT}  # fmt: skip
    _sheet(
        book,
        t("reports.sheet.summary"),
        [t(f"reports.col.{c}") for c in SUMMARY_COLUMNS],
        summary_rows(report, t),
        shares,
    )
    _sheet(
        book,
        t("reports.sheet.incidents"),
        [t(f"reports.col.{c}") for c in INCIDENT_COLUMNS],
        [incident_row(fact, report, t) for fact in facts],
    )
    _sheet(
        book,
        t("reports.sheet.returns"),
        [t(f"reports.col.{c}") for c in RETURN_COLUMNS],
        return_rows(report, t),
    )
    if report.pages.rows:  # the official pages (docs/pages.md), when the scope keeps any
        shares = {page_report.SHARE_COLUMN: SHARE_FORMAT}
        rows = page_report.sheet_rows(report, t)
        _sheet(book, t("pages_report.sheet"), page_report.headers(report, t), rows, shares)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(report: PeriodReport, t: Translate) -> str:
    """The summary sheet as CSV (semicolons and a decimal point, as spreadsheets read it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow([t(f"reports.col.{c}") for c in SUMMARY_COLUMNS])
    for row in summary_rows(report, t):
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue()


def file_name(report: PeriodReport, extension: str) -> str:
    scope = report.org_code or "all"
    return f"report_{scope}_{report.period.first:%Y%m%d}-{report.period.last:%Y%m%d}.{extension}"
