"""An executor takes the incident (п.11 / п.13: the organisation answers within 30 minutes)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from workflow.calendars import Calendars
from workflow.commands.base import (
    as_utc,
    check_may_work_on,
    finish,
    live_assignment,
    meet,
    refuse,
    require_routed,
    running,
    with_assignment,
)
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.model import Assignment, AssignmentStatus, DeadlineKind, Incident
from workflow.policy import Policy

NAME = "take"


def check_take(incident: Incident, actor: Actor, org_code: str | None = None) -> Assignment:
    """Whoever takes it holds it; a stand-in of the holder (п.8) takes it over."""
    require_routed(incident)
    assignment = live_assignment(incident, actor, org_code)
    if assignment.holder_id == actor.person_id:
        refuse(RefusalCode.ALREADY_TAKEN, "you hold it", holder_id=assignment.holder_id)
    # Nobody holds it: any executor of the organisation; someone does: only their stand-in.
    check_may_work_on(assignment, actor)
    return assignment


def take(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    org_code: str | None = None,
) -> Outcome:
    now = as_utc(now)
    assignment = check_take(incident, actor, org_code)
    holder = assignment.holder_id

    before = incident
    status = (
        AssignmentStatus.TAKEN if assignment.status is AssignmentStatus.SENT else assignment.status
    )
    incident = with_assignment(
        incident, dataclasses.replace(assignment, holder_id=actor.person_id, status=status)
    )
    incident = meet(
        incident, running(incident, DeadlineKind.RESPOND, org_code=assignment.org_code), now
    )
    facts: dict[str, Any] = {"org_code": assignment.org_code}
    if holder is not None:
        facts["took_over_from"] = holder  # п.8: the stand-in continues the absent holder's work
    message = Message(
        Addressee.curators(),
        "incident.taken",
        {"org_code": assignment.org_code, "holder_id": actor.person_id, "took_over_from": holder},
    )
    return finish(
        NAME, before, incident, actor, now, {"org_code": assignment.org_code}, facts, [message]
    )
