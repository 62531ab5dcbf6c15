"""A period report as a picture: answered in time vs late per organisation, and the weekly
trend. Matplotlib's object API with the Agg canvas (no pyplot state, no display); its bundled
DejaVu Sans has the Cyrillic letters, so no system font is needed."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.services.period_reports import PeriodReport
from bot.views.format import Translate

FONT = "DejaVu Sans"
WIDTH_IN, DPI = 8.0, 120  # 960 px wide: sharp on a phone, well under Telegram's photo limits
IN_TIME_COLOUR, LATE_COLOUR = "#2e7d32", "#c62828"
MAX_ORGS = 15  # the busiest; the table has everyone
LABEL_CHARS = 28


def _label(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"


def _plain(text: str) -> str:
    """The text without emoji (the catalogue's titles carry them; the font has none)."""
    return "".join(char for char in text if ord(char) <= 0xFFFF).strip()


def chart_png(report: PeriodReport, t: Translate, title: str) -> bytes:
    orgs = sorted(report.per_org.items(), key=lambda item: -item[1].judged)[:MAX_ORGS]
    orgs = [(code, fig) for code, fig in orgs if fig.judged] or orgs[:1]
    height = 3.2 + 0.38 * max(len(orgs), 1)
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(_plain(title), fontsize=13, fontfamily=FONT)
    top, bottom = figure.subplots(2, 1, height_ratios=[max(len(orgs), 2), 3])
    names = [_label(report.org_name(code)) for code, _ in orgs][::-1]
    in_time = [fig.in_time for _, fig in orgs][::-1]
    late = [fig.late for _, fig in orgs][::-1]
    top.barh(names, in_time, color=IN_TIME_COLOUR, label=t("reports.in_time"))
    top.barh(names, late, left=in_time, color=LATE_COLOUR, label=t("reports.late"))
    top.set_title(t("reports.chart_orgs"), fontsize=11, fontfamily=FONT)
    top.legend(loc="lower right", fontsize=9, prop={"family": FONT})
    top.tick_params(labelsize=9)
    top.xaxis.get_major_locator().set_params(integer=True)
    if not any(in_time) and not any(late):
        top.text(0.5, 0.5, t("reports.chart_no_data"), ha="center", transform=top.transAxes)
    weeks = report.weeks
    labels = [point.monday.strftime("%d.%m") for point in weeks]
    positions = list(range(len(weeks)))
    bottom.plot(
        positions,
        [p.in_time for p in weeks],
        marker="o",
        color=IN_TIME_COLOUR,
        label=t("reports.in_time"),
    )
    bottom.plot(
        positions, [p.late for p in weeks], marker="o", color=LATE_COLOUR, label=t("reports.late")
    )
    bottom.set_xticks(positions, labels, fontsize=8, rotation=45 if len(weeks) > 8 else 0)
    bottom.set_title(t("reports.chart_weeks"), fontsize=11, fontfamily=FONT)
    bottom.yaxis.get_major_locator().set_params(integer=True)
    highest = max([p.in_time for p in weeks] + [p.late for p in weeks] + [1])
    bottom.set_ylim(0, highest * 1.4)  # headroom: the legend sits above the lines
    bottom.grid(alpha=0.3)
    bottom.legend(loc="upper left", ncol=2, fontsize=9, prop={"family": FONT})
    for axes in (top, bottom):
        for label in (*axes.get_xticklabels(), *axes.get_yticklabels()):
            label.set_fontfamily(FONT)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
