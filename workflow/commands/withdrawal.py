"""п.19, the project's policy: the curator withdraws an organisation that stays silent.

Without it, one organisation that never sends its information holds the consolidated
answer hostage. The withdrawal is recorded with the curator's comment; the organisation's
clocks stop and it is told.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from workflow.calendars import Calendars
from workflow.commands.base import (
    as_utc,
    assignment_of,
    cancel,
    clean_text,
    finish,
    live_assignments,
    passes,
    refuse,
    require_curator,
    require_routed,
    running,
    supersede_drafts,
    with_assignment,
)
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.model import Assignment, AssignmentStatus, Incident
from workflow.policy import Policy

NAME = "withdraw_organisation"

# An organisation that has not given its information yet (п.19).
SILENT: frozenset[AssignmentStatus] = frozenset({AssignmentStatus.SENT, AssignmentStatus.TAKEN})


def check_withdraw(incident: Incident, actor: Actor) -> None:
    """The curator, in a consolidated incident (п.19)."""
    require_routed(incident)
    require_curator(actor)
    if not incident.consolidated:
        refuse(RefusalCode.WRONG_STATE, "only a consolidated incident's organisations (п.19)")


def check_withdrawable(incident: Incident, org_code: str) -> Assignment:
    """An organisation still on it, silent so far, not the consolidator, and not the last."""
    found = assignment_of(incident, org_code)
    if found is None or found.status not in SILENT or found.consolidator:
        refuse(RefusalCode.NOT_ASSIGNED, org_code, org_code=org_code)
    if len(live_assignments(incident)) < 2:
        refuse(RefusalCode.NO_ORGANISATIONS, "the last organisation on it stays")
    return found


def withdraw_candidates(incident: Incident) -> tuple[str, ...]:
    return tuple(
        a.org_code
        for a in live_assignments(incident)
        if passes(check_withdrawable, incident, a.org_code)
    )


def may_withdraw(incident: Incident, actor: Actor) -> None:
    check_withdraw(incident, actor)
    if not withdraw_candidates(incident):
        refuse(RefusalCode.NOT_ASSIGNED, "no silent organisation to withdraw")


def withdraw_organisation(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    org_code: str,
    comment: str,
) -> Outcome:
    now = as_utc(now)
    check_withdraw(incident, actor)
    assignment = check_withdrawable(incident, org_code)
    comment = clean_text(comment)
    if not comment:
        refuse(RefusalCode.MISSING_COMMENT, "say why the organisation is withdrawn")

    before = incident
    incident = with_assignment(
        incident, dataclasses.replace(assignment, status=AssignmentStatus.WITHDRAWN)
    )
    incident = cancel(incident, running(incident, org_code=org_code), now)
    incident = supersede_drafts(incident, keep=lambda draft: draft.org_code != org_code)
    params = {"org_code": org_code, "comment": comment}
    messages = [Message(Addressee.organisation(org_code), "incident.withdrawn_from", params)]
    return finish(NAME, before, incident, actor, now, params, {}, messages)
