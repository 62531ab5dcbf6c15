"""An incident's story as one message: who did what when, how each clock ended."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.read_models import TimelineModel
from bot.views.format import Translate, e
from bot.views.lateness import late_step_text
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
    by_time = {entry.at: entry.actor_id for entry in entries}

    def translate(key: str, params: Mapping[str, Any]) -> str:
        values = {k: e(v) if isinstance(v, str) else v for k, v in dict(params).items()}
        if key.startswith("timeline.deadline") and "kind" in params:
            values["kind"] = t(f"deadline.kind.{params['kind']}")
        if key == "timeline.late_step":
            values["cause"] = late_step_text(params, names, t)
        if key == "timeline.dismiss" and params.get("ground"):  # п.10, never the raw code
            values["ground"] = t(f"dismissal.ground.{params['ground']}")
            if params.get("duplicate_of"):
                values["ground"] = t("card.dismissal_duplicate", id=params["duplicate_of"])
        if params.get("org_code"):
            values["org"] = e(names.org(params["org_code"]))
        if params.get("org_codes"):
            values["orgs"] = ", ".join(e(names.org(c)) for c in params["org_codes"])
        return t(key, **values)

    lines = format_timeline(entries, translate, tz)
    actors = [by_time.get(entry.at) for entry in entries]
    rendered = [
        line + (f" — {e(names.people.get(actor, ''))}" if actor else "")
        for line, actor in zip(lines, actors, strict=True)
    ]
    return fit(t("timeline.header", id=incident.id), rendered, t)
