"""An incident's history for people: who did what when, and how each clock ended.

Entries carry message keys and JSON parameters (the locale layer writes the words);
`format_timeline` turns them into lines given a translate function, for reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from workflow.calendars import Calendars
from workflow.effects import Event, JSONDict
from workflow.model import Deadline, DeadlineState, Incident

# Long or nested arguments that a timeline line does not show.
_HIDDEN_ARGS = frozenset({"text", "media", "post", "limits", "late_steps"})


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    key: str  # "timeline.route", "timeline.deadline.met_late", ...
    params: JSONDict = field(default_factory=dict)
    actor_id: int | None = None


def timeline(
    incident: Incident,
    events: Iterable[Event],
    calendars: Calendars,
    now: datetime | None = None,
) -> tuple[TimelineEntry, ...]:
    """Every event, then how each deadline ended; with `now`, the ones overdue so far."""
    ranked: list[tuple[datetime, int, int, TimelineEntry]] = []
    for index, event in enumerate(events):
        ranked.append((event.at, 0, index, _event_entry(event)))
        # A late answer: whose steps overran and by how much (workflow/fairness.py).
        for step in event.facts.get("late_steps") or ():
            ranked.append((event.at, 0, index, TimelineEntry(event.at, "timeline.late_step", step)))
    for index, deadline in enumerate(incident.deadlines):
        entry = _deadline_entry(index, deadline, calendars, now)
        if entry is not None:
            ranked.append((entry.at, 1, index, entry))
    ranked.sort(key=lambda item: item[:3])
    return tuple(item[3] for item in ranked)


def _event_entry(event: Event) -> TimelineEntry:
    params: JSONDict = {k: v for k, v in event.args.items() if k not in _HIDDEN_ARGS}
    params.update({k: v for k, v in event.facts.items() if k not in _HIDDEN_ARGS})
    if "media" in event.args:
        params["media_count"] = len(event.args["media"])
    if "post" in event.args:
        params["source"] = event.args["post"].get("source")
        params["url"] = event.args["post"].get("url")
    if "limits" in event.args:
        params.update({f"limit_{k}": v for k, v in event.args["limits"].items()})
    key = f"timeline.{event.command}"
    if event.command == "review":
        key += ".approved" if event.args.get("approve") else ".returned"
    elif event.command in {"submit_draft", "confirm_publication"}:
        key += f".{event.facts.get('kind') or event.args.get('kind')}"
    return TimelineEntry(at=event.at, key=key, params=params, actor_id=event.actor_id)


def _deadline_entry(
    index: int, deadline: Deadline, calendars: Calendars, now: datetime | None
) -> TimelineEntry | None:
    params: JSONDict = {
        "deadline": index,
        "kind": deadline.kind.value,
        "party": deadline.party.value,
        "org_code": deadline.org_code,
        "draft_id": deadline.draft_id,
        "started_at": deadline.started_at.isoformat(),
        "due_at": deadline.due_at.isoformat(),
    }
    if deadline.state is DeadlineState.RUNNING:
        if now is None or now <= deadline.due_at:
            return None
        late = calendars.lateness(deadline, now)
        return TimelineEntry(deadline.due_at, "timeline.deadline.overdue", _late(params, late))
    assert deadline.ended_at is not None
    late = calendars.lateness(deadline, deadline.ended_at)
    if deadline.state is DeadlineState.MET:
        key = "timeline.deadline.met_late" if late else "timeline.deadline.met"
        return TimelineEntry(deadline.ended_at, key, _late(params, late))
    if late:
        # Cancelled after it had already run out: it was missed, then stopped applying.
        return TimelineEntry(deadline.ended_at, "timeline.deadline.lapsed", _late(params, late))
    return None


def _late(params: JSONDict, late: timedelta) -> JSONDict:
    seconds = int(late.total_seconds())
    return {**params, "late_by_seconds": seconds, "late_by_minutes": -(-seconds // 60)}


def format_timeline(
    entries: Iterable[TimelineEntry],
    translate: Callable[[str, Mapping[str, Any]], str],
    tz: tzinfo = UTC,
) -> list[str]:
    """Plain lines "dd.mm.yyyy hh:mm  text" in the reader's time zone."""
    return [
        f"{entry.at.astimezone(tz):%d.%m.%Y %H:%M}  {translate(entry.key, entry.params)}"
        for entry in entries
    ]
