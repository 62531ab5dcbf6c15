"""Lists managers ask for: what is overdue, what is due today."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.services.read_models import Names
from bot.views.format import Translate, e, local_time
from bot.views.timeline import fit
from db.report_repository import DueItem


def due_item_line(item: DueItem, names: Names, tz: ZoneInfo, t: Translate) -> str:
    org = e(names.org(item.org_code)) if item.org_code else t("report.centre")
    return t(
        "report.item",
        id=item.incident_id,
        kind=t(f"deadline.kind.{item.kind.value}"),
        org=org,
        due=local_time(item.due_at, tz),
    )


def due_list_text(
    items: Sequence[DueItem], names: Names, tz: ZoneInfo, t: Translate, header_key: str
) -> str:
    lines = [due_item_line(item, names, tz, t) for item in items]
    return fit(t(header_key, count=len(items)), lines, t)
