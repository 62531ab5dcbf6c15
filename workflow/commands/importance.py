"""п.17: a high-importance incident is answered within 2 working hours of detection."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
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
    rederive_draft_deadlines,
    refuse,
    require_curator,
    require_open,
    start,
)
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.model import DeadlineKind, Importance, Incident, Party
from workflow.policy import Policy

NAME = "set_importance"


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
    require_open(incident)
    require_curator(actor)
    if importance is incident.importance:
        refuse(RefusalCode.NO_CHANGE, f"already {importance.value}")

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


def replay(
    incident: Incident,
    actor: Actor,
    at: datetime,
    policy: Policy,
    calendars: Calendars,
    args: Mapping[str, Any],
) -> Outcome:
    return set_importance(incident, actor, at, policy, calendars, Importance(args["importance"]))
