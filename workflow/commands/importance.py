"""п.17: a high-importance incident is answered within 2 working hours of detection."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from workflow.calendars import Calendars
from workflow.commands.base import (
    answer_clock,
    answer_length,
    as_utc,
    cancel,
    finish,
    iso,
    live_assignments,
    passes,
    refuse,
    require_curator,
    require_open,
    start,
)
from workflow.commands.clocks import rederive_draft_deadlines
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.model import DeadlineKind, Importance, Incident, Party
from workflow.policy import Policy

NAME = "set_importance"


def check_set_importance(incident: Incident, actor: Actor) -> None:
    require_open(incident)
    require_curator(actor)


def check_change(incident: Incident, importance: Importance) -> None:
    if importance is incident.importance:
        refuse(RefusalCode.NO_CHANGE, f"already {importance.value}")


def importance_choices(incident: Incident) -> tuple[Importance, ...]:
    """The levels the incident may be switched to."""
    return tuple(level for level in Importance if passes(check_change, incident, level))


def may_set_importance(incident: Incident, actor: Actor) -> None:
    check_set_importance(incident, actor)
    if not importance_choices(incident):
        refuse(RefusalCode.NO_CHANGE)


def set_importance(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    importance: Importance,
) -> Outcome:
    """The curator marks (or unmarks) an incident as high-importance.

    While the first answer is due, the running п.9 deadline is replaced by one counted from
    the same starting moment (detection, or reopening) with the п.17 length, and the drafts'
    п.12 deadlines follow. After an interim answer the п.18 deadline is not affected.
    """
    now = as_utc(now)
    importance = Importance(importance)
    check_set_importance(incident, actor)
    check_change(incident, importance)

    before = incident
    incident = dataclasses.replace(incident, importance=importance)
    clock = answer_clock(incident)
    facts: dict[str, Any] = {"answer_due_at": iso(clock.due_at)}
    if clock.kind is DeadlineKind.ANSWER:
        due = calendars.add(
            Party.EVERYONE, None, clock.started_at, answer_length(importance, policy)
        )
        incident = cancel(incident, [clock], now)
        incident = start(incident, DeadlineKind.ANSWER, Party.EVERYONE, due, clock.started_at)
        incident = rederive_draft_deadlines(incident, now, policy, calendars)
        facts["answer_due_at"] = iso(due)
    params = {"importance": importance.value, **facts}
    messages = [Message(Addressee.curators(), "incident.importance_changed", params)]
    messages += [
        Message(Addressee.organisation(a.org_code), "incident.importance_changed", params)
        for a in live_assignments(incident)
    ]
    return finish(
        NAME, before, incident, actor, now, {"importance": importance.value}, facts, messages
    )
