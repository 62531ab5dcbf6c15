"""A period report as a short text: the figures of the scope, the п.14 reasons, the rating."""

from __future__ import annotations

from bot.services.period_reports import PeriodReport
from bot.views.format import Translate, e
from bot.views.page_report import summary_lines as page_lines
from workflow.rating import RatingRow, RatingWeights
from workflow.report_figures import Figures

RATING_LINES = 10  # the text shows the top; the table has everyone
NOT_RATED_NAMES = 20


def number(value: float | None, comma: bool, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if comma else text


def share(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)} %"


def scope_name(report: PeriodReport, t: Translate) -> str:
    if report.org_code is None:
        return t("reports.scope_all")
    return e(report.org_name(report.org_code))


def title(report: PeriodReport, t: Translate, key: str = "reports.title") -> str:
    return t(key, period=report.period.label())


def figures_params(fig: Figures, comma: bool) -> dict[str, object]:
    return {
        "received": fig.received,
        "in_time": fig.in_time,
        "in_time_share": share(fig.in_time_share),
        "late": fig.late,
        "late_share": share(fig.late_share),
        "without_interim": fig.without_interim,
        "with_interim": fig.with_interim,
        "final_in_time": fig.final_in_time,
        "mean": number(fig.mean_hours, comma),
        "median": number(fig.median_hours, comma),
        "returns": fig.returns,
        "returns_per_incident": number(fig.returns_per_incident, comma, 2),
        "not_ours": fig.not_ours,
        "not_ours_minutes": number(fig.not_ours_mean_minutes, comma, 0),
        "closed_p21": fig.closed_p21,
        "dismissed": fig.dismissed,
        "open_now": fig.open_now,
        "overdue_now": fig.overdue_now,
    }


def change_text(row: RatingRow, t: Translate) -> str:
    change = row.place_change
    if change is None:
        return t("reports.change_new")
    if change > 0:
        return t("reports.change_up", places=change)
    if change < 0:
        return t("reports.change_down", places=-change)
    return t("reports.change_same")


def summary_text(
    report: PeriodReport,
    t: Translate,
    weights: RatingWeights,
    *,
    comma: bool = True,
    title_key: str = "reports.title",
) -> str:
    fig = report.total
    lines = [
        t(
            "reports.summary",
            title=title(report, t, title_key),
            scope=scope_name(report, t),
            **figures_params(fig, comma),
        )
    ]
    if fig.reasons:
        reasons = "; ".join(f"{t(f'reason.{code}')} — {count}" for code, count in fig.reasons)
        lines.append(t("reports.reasons", reasons=reasons))
    lines.extend(page_lines(report, t))
    rating = report.rating
    if rating.rows and report.org_code is None:
        lines.append("")
        lines.append(t("reports.rating_header"))
        lines.extend(
            t(
                "reports.rating_row",
                place=row.place,
                org=e(report.org_name(row.org_code)),
                score=number(row.score, comma),
                change=change_text(row, t),
            )
            for row in rating.rows[:RATING_LINES]
        )
    if rating.not_rated and report.org_code is None:
        shown = rating.not_rated[:NOT_RATED_NAMES]
        orgs = ", ".join(e(report.org_name(code)) for code in shown)
        if len(rating.not_rated) > len(shown):  # the message stays within Telegram's limit
            orgs += " " + t("report.more", count=len(rating.not_rated) - len(shown))
        lines.append(t("reports.not_rated", minimum=weights.minimum, orgs=orgs))
    return "\n".join(lines)
