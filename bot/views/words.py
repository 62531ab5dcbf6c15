"""Workflow parameters into the reader's words: the one place every history line, alert,
digest and notice passes through.

No raw code reaches a reader: enum values go through the catalogues, organisation codes
become names, moments are shown in the reader's zone, dates as dd.mm.yyyy, durations in
hours and minutes, and an optional value that is absent leaves out its whole phrase (a
`*_note` parameter is empty), never a dash or "None".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.read_models import Names
from bot.views.format import Translate, e, local_time

# A parameter holding an enum value -> the catalogue prefix of its words.
ENUM_PREFIXES = {
    "importance": "importance",
    "reason": "no_answer",
    "source": "source",
    "publisher": "publisher",
    "problem": "publication.problem",  # why the bot did not publish (п.16)
}
# Optional values -> (the phrase's parameter, its catalogue key); the phrase is empty when
# the value is absent, so a template never shows a placeholder for it.
NOTES = {
    "comment": ("comment_note", "words.comment_note"),
    "draft_due_at": ("draft_note", "words.draft_due_note"),
    "info_due_at": ("info_note", "words.info_due_note"),
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def duration(minutes: int, t: Translate) -> str:
    """ "9 ч", "1 ч 20 мин", "20 мин"; under a minute reads as such, not "0 мин"."""
    if minutes <= 0:
        return t("time.under_a_minute")
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return t("time.hours_minutes", hours=hours, minutes=rest)
    if hours:
        return t("time.hours", hours=hours)
    return t("time.minutes", minutes=rest)


def duration_of(delta: timedelta, t: Translate) -> str:
    return duration(int(delta.total_seconds() // 60), t)


def kind_prefix(key: str) -> str:
    """A "kind" is a deadline's in deadline texts, a draft's everywhere else."""
    deadline_text = key.startswith(("deadline.", "timeline.deadline."))
    return "deadline.kind" if deadline_text else "draft.kind"


def readable(
    key: str, params: Mapping[str, Any], t: Translate, names: Names, tz: ZoneInfo
) -> dict[str, Any]:
    """The values a message's template is rendered with, in the reader's language."""
    values: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        values[name] = _word(key, name, value, t, names, tz)
    values["org_note"] = ""
    if params.get("org_code"):
        values["org"] = e(names.org(str(params["org_code"])))
        values["org_note"] = t("words.org_note", org=values["org"])
    if isinstance(params.get("org_codes"), list | tuple):
        values["orgs"] = values["org_codes"]
    for name, (note, note_key) in NOTES.items():
        present = params.get(name) not in (None, "")
        values[note] = t(note_key, **{name: values[name]}) if present else ""
    return values


def _word(key: str, name: str, value: Any, t: Translate, names: Names, tz: ZoneInfo) -> Any:
    if isinstance(value, bool):
        return value
    if name == "kind" and isinstance(value, str):
        return t(f"{kind_prefix(key)}.{value}")
    if name in ENUM_PREFIXES and isinstance(value, str):
        return t(f"{ENUM_PREFIXES[name]}.{value}")
    if name == "reasons" and isinstance(value, list | tuple):  # п.14 return reasons
        return "; ".join(t(f"reason.{reason}") for reason in value)
    if name.endswith("_minutes") and isinstance(value, int):
        return duration(value, t)
    if isinstance(value, str) and name.endswith("_at"):
        try:
            return local_time(datetime.fromisoformat(value), tz)
        except ValueError:
            return e(value)
    if isinstance(value, str) and _ISO_DATE.match(value):
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    if isinstance(value, list | tuple) and all(isinstance(v, dict) for v in value):
        # Digest rows: organisation and count.
        rows = (f"{e(names.org(str(v.get('org_code'))))}: {v.get('overdue')}" for v in value)
        return "; ".join(rows) or t("words.none")
    if isinstance(value, list | tuple):  # organisation codes
        return ", ".join(e(names.org(str(v))) for v in value) or t("words.none")
    if isinstance(value, str):
        return e(value)
    return value
