"""The official pages in a period report (issue 14 item 6): a line of the summary and the
"Госпаблики" sheet — a row per page (its posts per week against its quota, weeks met,
created/deleted reports on time and late), a row per organisation, one for the whole
administration."""

from __future__ import annotations

from typing import Any

from bot.services.period_reports import PeriodReport
from bot.views.format import Translate, e
from workflow.page_figures import PageFigures, PageRow, WeekState

PAGE_COLUMNS = (
    "org", "page", "url", "network", "kind", "quota", "weeks", "weeks_met", "weeks_share",
    "posts", "expected", "reports_on_time", "reports_late",
)  # fmt: skip
SHARE_COLUMN = PAGE_COLUMNS.index("weeks_share")
WEAKEST = 5  # organisations named in the summary, fewest weeks at quota first


def _share(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)} %"


def summary_lines(report: PeriodReport, t: Translate) -> list[str]:
    """The scope's page figures in a line; for the whole administration, a second line
    naming the organisations with the smallest share of weeks at quota. Nothing when the
    scope keeps no pages."""
    pages = report.pages
    fig = pages.total if report.org_code is None else pages.per_org.get(report.org_code)
    if fig is None or fig.pages == 0:
        return []
    lines = [_figures_line(fig, t)]
    judged = [(code, f) for code, f in pages.per_org.items() if f.quota_share is not None]
    if report.org_code is None and len(judged) > 1:
        judged.sort(key=lambda item: (item[1].quota_share or 0.0, report.org_name(item[0])))
        orgs = "; ".join(
            t(
                "pages_report.org_weeks",
                org=e(report.org_name(code)),
                met=f.weeks_met,
                weeks=f.weeks,
                share=_share(f.quota_share),
            )
            for code, f in judged[:WEAKEST]
        )
        lines.append(t("pages_report.weakest", orgs=orgs))
    return lines


def _figures_line(fig: PageFigures, t: Translate) -> str:
    return t(
        "pages_report.summary",
        pages=fig.pages,
        met=fig.weeks_met,
        weeks=fig.weeks,
        share=_share(fig.quota_share),
        posts=fig.posts,
        expected=fig.expected,
        on_time=fig.reports_on_time,
        late=fig.reports_late,
    )


def headers(report: PeriodReport, t: Translate) -> list[str]:
    weeks = [t("pages_report.col.week", monday=f"{m:%d.%m}") for m in report.pages.weeks]
    return [t(f"pages_report.col.{name}") for name in PAGE_COLUMNS] + weeks


def _figures(fig: PageFigures) -> list[Any]:
    share = None if fig.quota_share is None else round(fig.quota_share, 4)
    return [
        fig.weeks,
        fig.weeks_met,
        share,
        fig.posts,
        fig.expected,
        fig.reports_on_time,
        fig.reports_late,
    ]


def _page(row: PageRow, report: PeriodReport, t: Translate) -> list[Any]:
    page = row.page
    share = row.met / row.judged if row.judged else None
    weeks = [None if w.state is WeekState.ABSENT else w.posts for w in row.weeks]
    judged = [w for w in row.weeks if w.state in (WeekState.MET, WeekState.UNMET)]
    return [
        report.org_name(page.org_code),
        page.title or page.url,
        page.url,
        t(f"pages.network.{page.network}"),
        t(f"pages.kind.{page.kind}"),
        page.quota,
        row.judged,
        row.met,
        None if share is None else round(share, 4),
        sum(w.posts for w in judged),
        page.quota * len(judged),
        row.reports_on_time,
        row.reports_late,
        *weeks,
    ]


def sheet_rows(report: PeriodReport, t: Translate) -> list[list[Any]]:
    """A row per page; then a row per organisation with pages and, for the whole
    administration's report, its total."""
    pages = report.pages
    blanks = [None] * len(pages.weeks)
    rows = [_page(row, report, t) for row in pages.rows]
    total_word = t("pages_report.org_total")
    for code, fig in sorted(pages.per_org.items()):
        name = report.org_name(code)
        rows.append([name, total_word, None, None, None, None, *_figures(fig), *blanks])
    if report.org_code is None and pages.rows:
        name = t("reports.total")
        rows.append([name, total_word, None, None, None, None, *_figures(pages.total), *blanks])
    return rows
