"""п.10: the curator "determines the incidents that need an answer"; a post that needs none
is dismissed with its ground (DOMAIN.md, "Not every post needs an answer").

Not п.21: a dismissal is its own status (DISMISSED), counted apart in every report. Every
clock stops, the organisations it was sent to are told, and the Reopen command brings it
back to the curator.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from workflow.calendars import Calendars
from workflow.commands.base import (
    LIVE_ASSIGNMENTS,
    as_utc,
    cancel,
    finish,
    live_assignments,
    optional_text,
    refuse,
    require_curator,
    require_open,
    running,
    supersede_drafts,
)
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.model import AssignmentStatus, DismissalGround, Incident, IncidentStatus
from workflow.policy import Policy

NAME = "dismiss"


def check_dismiss(incident: Incident, actor: Actor) -> None:
    """The curator, before any answer went out: once an interim answer is published the post
    evidently needed one."""
    require_open(incident)
    require_curator(actor)
    if incident.status is IncidentStatus.INTERIM:
        refuse(RefusalCode.WRONG_STATE, "an interim answer was published (п.18)")


def check_ground(
    incident: Incident, policy: Policy, ground: str, duplicate_of: int | None
) -> DismissalGround:
    """One of the policy's grounds; a duplicate names another incident's number."""
    try:
        chosen = DismissalGround(ground)
    except ValueError:
        refuse(RefusalCode.UNKNOWN_GROUND, ground, ground=ground)
    if chosen not in policy.dismissal_grounds:
        refuse(RefusalCode.UNKNOWN_GROUND, ground, ground=ground)
    if chosen is DismissalGround.DUPLICATE:
        if duplicate_of is None or duplicate_of <= 0 or duplicate_of == incident.id:
            refuse(RefusalCode.MISSING_DUPLICATE, "name the incident it repeats")
    elif duplicate_of is not None:
        refuse(RefusalCode.MISSING_DUPLICATE, "only a duplicate names another incident")
    return chosen


def dismiss(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    ground: str,
    duplicate_of: int | None = None,
    comment: str | None = None,
) -> Outcome:
    """Recorded with who (the event's actor) and when; every clock stops."""
    now = as_utc(now)
    check_dismiss(incident, actor)
    chosen = check_ground(incident, policy, ground, duplicate_of)

    before = incident
    comment = optional_text(comment)
    orgs = [a.org_code for a in live_assignments(incident)]
    incident = cancel(incident, running(incident), now)
    incident = supersede_drafts(incident, keep=lambda draft: False)
    incident = dataclasses.replace(
        incident,
        status=IncidentStatus.DISMISSED,
        dismissal_ground=chosen.value,
        dismissal_duplicate_of=duplicate_of,
        assignments=tuple(
            dataclasses.replace(a, status=AssignmentStatus.WITHDRAWN)
            if a.status in LIVE_ASSIGNMENTS
            else a
            for a in incident.assignments
        ),
    )
    args = {"ground": chosen.value, "duplicate_of": duplicate_of, "comment": comment}
    messages = [
        Message(Addressee.organisation(code), "incident.dismissed", dict(args)) for code in orgs
    ]
    return finish(NAME, before, incident, actor, now, args, {"withdrawn_from": orgs}, messages)
