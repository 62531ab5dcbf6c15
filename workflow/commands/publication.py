"""п.16: the approved text is published where the incident was posted; п.18 after an interim."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from workflow.calendars import Calendars
from workflow.commands.base import (
    LIVE_ASSIGNMENTS,
    answer_clock,
    as_utc,
    assignment_of,
    cancel,
    check_may_work_on,
    clean_text,
    draft_by_id,
    finish,
    iso,
    meet,
    passes,
    refuse,
    require_open,
    running,
    start,
    supersede_drafts,
    with_draft,
)
from workflow.commands.clocks import start_draft_deadline
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.fairness import late_steps_json
from workflow.model import (
    AssignmentStatus,
    Deadline,
    DeadlineKind,
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    IncidentStatus,
    Party,
)
from workflow.policy import Policy

NAME = "confirm_publication"


def check_publishable(incident: Incident, actor: Actor, draft: Draft) -> tuple[Deadline, ...]:
    """This actor may say where this draft was published; its PUBLISH deadlines."""
    if draft.status is not DraftStatus.APPROVED:
        # п.16: only what the curator approved is published.
        refuse(RefusalCode.DRAFT_NOT_APPROVED, f"draft {draft.id} is {draft.status.value}")
    publish_deadlines = running(incident, DeadlineKind.PUBLISH, draft_id=draft.id)
    if any(d.party is Party.CENTRE for d in publish_deadlines):
        if not actor.is_curator:
            # PUBLISHER=centre: the organisation's executor hears who publishes instead.
            refuse(RefusalCode.CENTRE_PUBLISHES, f"draft {draft.id}: the centre publishes")
    else:
        assignment = assignment_of(incident, draft.org_code)
        if assignment is None or assignment.status not in LIVE_ASSIGNMENTS:
            refuse(RefusalCode.NOT_ASSIGNED, draft.org_code, org_code=draft.org_code)
        check_may_work_on(assignment, actor)
    return publish_deadlines


def publishable_drafts(incident: Incident, actor: Actor) -> tuple[int, ...]:
    return tuple(d.id for d in incident.drafts if passes(check_publishable, incident, actor, d))


def may_publish(incident: Incident, actor: Actor) -> None:
    """An approved draft waits for this actor's link."""
    require_open(incident)
    if publishable_drafts(incident, actor):
        return
    for draft in incident.drafts:
        if draft.status is DraftStatus.APPROVED:
            check_publishable(incident, actor, draft)  # approved, not theirs: say why
    refuse(RefusalCode.DRAFT_NOT_APPROVED, "no approved draft waits for this publisher")


def confirm_publication(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    draft_id: int,
    url: str,
) -> Outcome:
    """The publisher says where the approved text went.

    ANSWER ends the incident; INTERIM starts the п.18 final-answer clock; CLARIFICATION is a
    question to the author, after which the incident waits with its answer clock running.
    """
    now = as_utc(now)
    require_open(incident)
    draft = draft_by_id(incident, draft_id)
    publish_deadlines = check_publishable(incident, actor, draft)
    url = clean_text(url)
    if not url:
        refuse(RefusalCode.MISSING_URL)

    before = incident
    code = draft.org_code
    incident = meet(incident, publish_deadlines, now)
    incident = with_draft(
        incident,
        dataclasses.replace(
            draft,
            status=DraftStatus.PUBLISHED,
            published_at=now,
            published_url=url,
            published_by=actor.person_id,
        ),
    )
    params: dict[str, Any] = {
        "draft_id": draft.id,
        "kind": draft.kind.value,
        "org_code": code,
        "url": url,
    }
    facts: dict[str, Any] = {"kind": draft.kind.value, "org_code": code}
    clock = answer_clock(incident)
    if draft.kind in (DraftKind.ANSWER, DraftKind.INTERIM) and now > clock.due_at:
        # The answer is late: say which steps overran, and whose they were (fair clocks).
        facts["late_steps"] = late_steps_json(incident, calendars, now)
    if draft.kind is DraftKind.ANSWER:
        incident = _answered(incident, now)
    elif draft.kind is DraftKind.INTERIM:
        incident = meet(incident, [answer_clock(incident)], now)
        # п.18: the final answer within 5 working days of the interim one.
        final_due = calendars.centre.add_working_days(now, policy.final_answer_days)
        incident = start(incident, DeadlineKind.FINAL_ANSWER, Party.EVERYONE, final_due, now)
        incident = dataclasses.replace(incident, status=IncidentStatus.INTERIM)
        # The organisation goes back to drafting: the final draft is due before that deadline.
        incident = start_draft_deadline(incident, code, now, policy, calendars)
        params["final_answer_due_at"] = iso(final_due)
        facts["final_answer_due_at"] = iso(final_due)
    messages = [Message(Addressee.curators(), "draft.published", params)]
    if draft.kind is DraftKind.INTERIM:
        messages.append(Message(Addressee.organisation(code), "incident.final_answer_due", params))
    return finish(
        NAME, before, incident, actor, now, {"draft_id": draft.id, "url": url}, facts, messages
    )


def _answered(incident: Incident, now: datetime) -> Incident:
    """п.9 / п.18 met: every clock stops, the organisations' work is done."""
    incident = meet(incident, [answer_clock(incident)], now)
    incident = cancel(incident, running(incident), now)
    incident = supersede_drafts(incident, keep=lambda draft: False)
    return dataclasses.replace(
        incident,
        status=IncidentStatus.ANSWERED,
        assignments=tuple(
            dataclasses.replace(a, status=AssignmentStatus.DONE)
            if a.status in LIVE_ASSIGNMENTS
            else a
            for a in incident.assignments
        ),
    )
