"""п.19: with everyone's information in, the curator names who drafts the consolidated answer."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from workflow.calendars import Calendars
from workflow.commands.base import (
    as_utc,
    assignment_of,
    finish,
    iso,
    live_assignments,
    passes,
    refuse,
    require_curator,
    require_routed,
    running,
    start_draft_deadline,
    with_assignment,
)
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.model import Assignment, AssignmentStatus, DeadlineKind, Incident
from workflow.policy import Policy

NAME = "pick_consolidator"


def check_pick(incident: Incident, actor: Actor) -> None:
    """The curator, in a consolidated incident whose consolidator is not chosen yet."""
    require_routed(incident)
    require_curator(actor)
    if not incident.consolidated:
        refuse(RefusalCode.WRONG_STATE, "a single organisation drafts the answer itself")
    if any(a.consolidator for a in live_assignments(incident)):
        refuse(RefusalCode.CONSOLIDATOR_ALREADY_PICKED)


def check_candidate(incident: Incident, org_code: str) -> Assignment:
    """One of the organisations still on the incident."""
    chosen = assignment_of(incident, org_code)
    if chosen is None or chosen not in live_assignments(incident):
        refuse(RefusalCode.NOT_ASSIGNED, org_code, org_code=org_code)
    return chosen


def check_info_in(incident: Incident) -> None:
    """п.19: chosen "с учетом информации, поступившей от всех исполнителей"."""
    live = live_assignments(incident)
    missing = sorted(a.org_code for a in live if a.status is not AssignmentStatus.INFO_SENT)
    if missing:
        refuse(RefusalCode.INFO_PENDING, ", ".join(missing), org_codes=missing)


def consolidator_candidates(incident: Incident) -> tuple[str, ...]:
    return tuple(
        a.org_code
        for a in live_assignments(incident)
        if passes(check_candidate, incident, a.org_code)
    )


def may_pick(incident: Incident, actor: Actor) -> None:
    check_pick(incident, actor)
    if not consolidator_candidates(incident):
        refuse(RefusalCode.NOT_ASSIGNED, "no organisation is on it")
    check_info_in(incident)


def pick_consolidator(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    org_code: str,
) -> Outcome:
    """ "Исполнителя сводного проекта ответа определяет куратор с учетом информации,
    поступившей от всех исполнителей": so every organisation still on it must have sent its
    information. The consolidated draft is then due 30 working minutes before п.9 (п.12)."""
    now = as_utc(now)
    check_pick(incident, actor)
    chosen = check_candidate(incident, org_code)
    check_info_in(incident)

    before = incident
    incident = with_assignment(
        incident,
        dataclasses.replace(chosen, consolidator=True, status=AssignmentStatus.TAKEN),
    )
    incident = start_draft_deadline(incident, org_code, now, policy, calendars)
    draft_due = running(incident, DeadlineKind.DRAFT, org_code=org_code)[0].due_at
    message = Message(
        Addressee.organisation(org_code),
        "incident.consolidator_picked",
        {"org_code": org_code, "draft_due_at": iso(draft_due)},
    )
    return finish(
        NAME,
        before,
        incident,
        actor,
        now,
        {"org_code": org_code},
        {"draft_due_at": iso(draft_due)},
        [message],
    )
