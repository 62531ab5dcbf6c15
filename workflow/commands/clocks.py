"""Clocks a command starts, on the party's calendar and by the fairness rule
(docs/fair-clocks.md): the clause's moment, never earlier than the step's start plus its
minimum."""

from __future__ import annotations

from datetime import datetime, timedelta

from workflow.calendars import Calendars
from workflow.commands.base import answer_clock, cancel, lengths, running, start
from workflow.fairness import fair_due, minimum
from workflow.model import DeadlineKind, Incident, Party
from workflow.policy import Policy


def step_due(
    incident: Incident,
    kind: DeadlineKind,
    party: Party,
    org_code: str | None,
    started: datetime,
    length: timedelta,
    policy: Policy,
    calendars: Calendars,
) -> datetime:
    """A clock counted from its start: the clause's length, or the fairness minimum if that
    is configured longer (docs/fair-clocks.md)."""
    regulation = calendars.add(party, org_code, started, length)
    floor = minimum(kind, incident.importance, policy, length)
    return fair_due(calendars, party, org_code, started, regulation, floor)


def draft_due(
    incident: Incident,
    org_code: str,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    floor: timedelta | None = None,
) -> datetime:
    """п.12: the draft reaches the curator 30 working minutes before the answer deadline,
    counted on the organisation's calendar (the executor's working time); never earlier
    than the step's start plus its minimum (docs/fair-clocks.md)."""
    clock = answer_clock(incident)
    steps = lengths(incident, policy)
    regulation = calendars.subtract(Party.ORGANISATION, org_code, clock.due_at, steps.draft_margin)
    if floor is None:
        floor = minimum(DeadlineKind.DRAFT, incident.importance, policy, timedelta(0))
    return fair_due(calendars, Party.ORGANISATION, org_code, now, regulation, floor)


def start_draft_deadline(
    incident: Incident,
    org_code: str,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    floor: timedelta | None = None,
) -> Incident:
    due = draft_due(incident, org_code, now, policy, calendars, floor)
    return start(incident, DeadlineKind.DRAFT, Party.ORGANISATION, due, now, org_code=org_code)


def rederive_draft_deadlines(
    incident: Incident, now: datetime, policy: Policy, calendars: Calendars
) -> Incident:
    """After the answer clock or the п.18 margin changed, DRAFT deadlines follow it."""
    for old in running(incident, DeadlineKind.DRAFT):
        assert old.org_code is not None
        incident = cancel(incident, [old], now)
        incident = start_draft_deadline(incident, old.org_code, now, policy, calendars)
    return incident
