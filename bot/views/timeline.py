"""An incident's story as one message: who did what when, how each clock ended."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.read_models import TimelineModel
from bot.views.format import Translate, e
from bot.views.lateness import late_step_text
from bot.views.words import readable
from workflow.timeline import format_timeline, timeline

MESSAGE_BUDGET = 3800  # leave room under Telegram's 4096 for the header


def fit(header: str, lines: list[str], t: Translate) -> str:
    """The header and as many lines as fit in one message, then how many were left out."""
    text = header
    for index, line in enumerate(lines):
        if len(text) + len(line) + 1 > MESSAGE_BUDGET:
            return text + "\n" + t("report.more", count=len(lines) - index)
        text += "\n" + line
    return text


def timeline_text(model: TimelineModel, t: Translate, now: datetime, tz: ZoneInfo) -> str:
    incident = model.incident
    names = model.directory.names
    entries = timeline(incident, model.events, model.directory.calendars, now=now)

    def translate(key: str, params: Mapping[str, Any]) -> str:
        values = readable(key, params, t, names, tz)
        if key == "timeline.late_step":
            values["cause"] = late_step_text(params, names, t)
        if key == "timeline.dismiss" and params.get("ground"):  # п.10, never the raw code
            values["ground"] = t(f"dismissal.ground.{params['ground']}")
            if params.get("duplicate_of"):
                values["ground"] = t("card.dismissal_duplicate", id=params["duplicate_of"])
        return t(key, **values)

    lines = format_timeline(entries, translate, tz)
    rendered = [
        line + (t("timeline.by", name=e(names.person(entry.actor_id))) if entry.actor_id else "")
        for line, entry in zip(lines, entries, strict=True)
    ]
    return fit(t("timeline.header", id=incident.id), rendered, t)
