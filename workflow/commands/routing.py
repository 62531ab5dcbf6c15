"""Sending the incident to organisations: п.10 (one), п.19 (several), п.11 (re-routing)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from workflow.calendars import Calendars
from workflow.commands.base import (
    LIVE_ASSIGNMENTS,
    answer_clock,
    as_utc,
    assignment_of,
    clean_text,
    end,
    finish,
    iso,
    lengths,
    live_assignments,
    meet,
    optional_text,
    passes,
    refuse,
    require_curator,
    require_open,
    running,
    start,
    unique,
    with_assignment,
)
from workflow.commands.clocks import start_draft_deadline, step_due
from workflow.commands.consolidation import info_due_at
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.model import (
    Assignment,
    AssignmentStatus,
    Deadline,
    DeadlineKind,
    DeadlineState,
    Incident,
    IncidentStatus,
    Party,
)
from workflow.policy import Policy

ROUTE = "route"
REROUTE = "reroute"


def check_routable(incident: Incident, org_code: str, calendars: Calendars) -> None:
    """An organisation the incident may be sent to: one that exists and is not on it now."""
    if not calendars.knows(org_code):
        refuse(RefusalCode.UNKNOWN_ORGANISATION, org_code, org_code=org_code)
    current = assignment_of(incident, org_code)
    if current is not None and current.status in LIVE_ASSIGNMENTS:
        refuse(RefusalCode.ALREADY_ASSIGNED, org_code, org_code=org_code)


def route_candidates(
    incident: Incident, org_codes: Iterable[str], calendars: Calendars
) -> tuple[str, ...]:
    """Of these organisations, the ones the incident may be sent to now."""
    return tuple(
        code for code in unique(org_codes) if passes(check_routable, incident, code, calendars)
    )


def _checked_orgs(
    incident: Incident, org_codes: Sequence[str], calendars: Calendars
) -> tuple[str, ...]:
    codes = unique(org_codes)
    for code in codes:
        check_routable(incident, code, calendars)
    return codes


def check_route(incident: Incident, actor: Actor) -> None:
    """п.10: the curator routes a new incident."""
    require_open(incident)
    require_curator(actor)
    if incident.status is not IncidentStatus.NEW:
        refuse(RefusalCode.WRONG_STATE, "already routed; use reroute after 'not ours'")


def check_route_targets(org_codes: Sequence[str]) -> None:
    if not org_codes:
        refuse(RefusalCode.NO_ORGANISATIONS)


def check_reroute(incident: Incident, actor: Actor) -> tuple[Deadline, ...]:
    """п.11: the curator re-routes while an organisation's "not ours" waits; the waiting
    REROUTE deadlines are returned."""
    require_open(incident)
    require_curator(actor)
    waiting = running(incident, DeadlineKind.REROUTE)
    if incident.status is IncidentStatus.NEW or not waiting:
        refuse(RefusalCode.WRONG_STATE, "nothing to re-route: no organisation said 'not ours'")
    return waiting


def check_reroute_targets(incident: Incident, org_codes: Sequence[str]) -> None:
    """Someone must be left on it: a new organisation or one still working (п.19)."""
    if not org_codes and not live_assignments(incident):
        refuse(RefusalCode.NO_ORGANISATIONS)


def may_route(
    incident: Incident, actor: Actor, calendars: Calendars, known_org_codes: Iterable[str]
) -> None:
    check_route(incident, actor)
    check_route_targets(route_candidates(incident, known_org_codes, calendars))


def may_reroute(
    incident: Incident, actor: Actor, calendars: Calendars, known_org_codes: Iterable[str]
) -> None:
    check_reroute(incident, actor)
    check_reroute_targets(incident, route_candidates(incident, known_org_codes, calendars))


def _send(
    incident: Incident,
    org_codes: tuple[str, ...],
    now: datetime,
    policy: Policy,
    calendars: Calendars,
) -> tuple[Incident, list[Message]]:
    """Give each organisation its assignment and its clocks."""
    steps = lengths(incident, policy)
    messages: list[Message] = []
    for code in org_codes:
        incident = with_assignment(
            incident, Assignment(org_code=code, status=AssignmentStatus.SENT, received_at=now)
        )
        # п.11 / п.13: take it, say "not ours" or ask a clarification within 30 working minutes.
        respond_due = step_due(
            incident,
            DeadlineKind.RESPOND,
            Party.ORGANISATION,
            code,
            now,
            steps.respond,
            policy,
            calendars,
        )
        incident = start(
            incident, DeadlineKind.RESPOND, Party.ORGANISATION, respond_due, now, org_code=code
        )
        params: dict[str, Any] = {
            "topic": incident.topic,
            "location": incident.location,
            "importance": incident.importance.value,
            "consolidated": incident.consolidated,
            "respond_due_at": iso(respond_due),
            "answer_due_at": iso(answer_clock(incident).due_at),
        }
        if incident.consolidated:
            # п.19: each organisation's information within 2 working hours of sending.
            # Capped so that the consolidated draft can still be on time; never shorter than
            # the step's minimum (docs/fair-clocks.md).
            info_due = info_due_at(incident, code, now, policy, calendars)
            incident = start(
                incident, DeadlineKind.INFO, Party.ORGANISATION, info_due, now, org_code=code
            )
            params["info_due_at"] = iso(info_due)
        else:
            # п.12: the draft 30 working minutes before the answer deadline.
            incident = start_draft_deadline(incident, code, now, policy, calendars)
            params["draft_due_at"] = iso(
                running(incident, DeadlineKind.DRAFT, org_code=code)[0].due_at
            )
        messages.append(Message(Addressee.organisation(code), "incident.routed", params))
    return incident, messages


def route(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    org_codes: Sequence[str],
    topic: str,
    location: str,
) -> Outcome:
    """п.10: the curator names the topic and the location and sends the incident on;
    п.19: to several organisations at once when the questions belong to several."""
    now = as_utc(now)
    check_route(incident, actor)
    topic, location = clean_text(topic), clean_text(location)
    if not topic:
        refuse(RefusalCode.MISSING_TOPIC)
    if not location:
        refuse(RefusalCode.MISSING_LOCATION)
    codes = _checked_orgs(incident, org_codes, calendars)
    check_route_targets(codes)

    before = incident
    several = len(codes) > 1
    incident = dataclasses.replace(
        incident,
        status=IncidentStatus.IN_WORK,
        topic=topic,
        location=location,
        consolidated=several,
    )
    facts: dict[str, Any] = {"consolidated": several}
    for deadline in running(incident, DeadlineKind.ROUTE):
        # п.10's hour from the start (the clock ran on п.19's 30 minutes if several were
        # expected; a single organisation after all is held to п.10).
        due = calendars.add(Party.CENTRE, None, deadline.started_at, policy.route)
        if several:
            # п.19: several organisations are sent the incident within 30 working minutes of
            # detection. Late routing is still allowed; the ROUTE deadline records the miss.
            multi_due = calendars.add(Party.CENTRE, None, deadline.started_at, policy.multi_route)
            due = min(due, multi_due)
            facts["p19_route_due_at"] = iso(multi_due)
            facts["p19_route_missed"] = now > multi_due
        facts["route_late"] = now > due
        incident = end(incident, [deadline], DeadlineState.MET, now, due_at=due)
    incident, messages = _send(incident, codes, now, policy, calendars)
    return finish(
        ROUTE,
        before,
        incident,
        actor,
        now,
        {"org_codes": list(codes), "topic": topic, "location": location},
        facts,
        messages,
    )


def reroute(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    org_codes: Sequence[str],
    topic: str | None = None,
    location: str | None = None,
) -> Outcome:
    """п.11: after "not ours" the curator sends the incident on within 30 working minutes.

    In a consolidated incident (п.19) the new organisations also give information; an empty
    list is allowed there when the remaining organisations suffice.
    """
    now = as_utc(now)
    waiting = check_reroute(incident, actor)
    codes = _checked_orgs(incident, org_codes, calendars)
    check_reroute_targets(incident, codes)
    remaining = live_assignments(incident)

    before = incident
    consolidated = incident.consolidated or len(codes) > 1 or bool(codes and remaining)
    incident = dataclasses.replace(
        incident,
        topic=optional_text(topic) or incident.topic,
        location=optional_text(location) or incident.location,
        consolidated=consolidated,
    )
    incident = meet(incident, waiting, now)
    late = any(now > d.due_at for d in waiting)
    incident, messages = _send(incident, codes, now, policy, calendars)
    return finish(
        REROUTE,
        before,
        incident,
        actor,
        now,
        {
            "org_codes": list(codes),
            "topic": optional_text(topic),
            "location": optional_text(location),
        },
        {"consolidated": consolidated, "reroute_late": late},
        messages,
    )
