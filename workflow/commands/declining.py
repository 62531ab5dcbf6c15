"""п.11: "not ours" — the organisation hands the incident back to the curator."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from workflow.calendars import Calendars
from workflow.commands.base import (
    as_utc,
    cancel,
    check_may_work_on,
    clean_text,
    finish,
    iso,
    lengths,
    live_assignment,
    meet,
    refuse,
    require_routed,
    running,
    start,
    supersede_drafts,
    with_assignment,
)
from workflow.commands.clocks import step_due
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.model import Assignment, AssignmentStatus, DeadlineKind, DraftStatus, Incident, Party
from workflow.policy import Policy

NAME = "decline"


def check_decline(incident: Incident, actor: Actor, org_code: str | None = None) -> Assignment:
    """Allowed until the organisation has published something or sent its п.19 information."""
    require_routed(incident)
    assignment = live_assignment(incident, actor, org_code)
    check_may_work_on(assignment, actor)
    code = assignment.org_code
    if assignment.status is AssignmentStatus.INFO_SENT or any(
        d.org_code == code and d.status is DraftStatus.PUBLISHED for d in incident.drafts
    ):
        refuse(RefusalCode.WRONG_STATE, "the organisation has already answered on it")
    return assignment


def decline(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    comment: str,
    org_code: str | None = None,
) -> Outcome:
    """The executor says the questions are not within the organisation's powers.

    Allowed until the organisation has published something or sent its п.19 information;
    saying it after the 30 minutes of п.11 is recorded as late, not refused.
    """
    now = as_utc(now)
    assignment = check_decline(incident, actor, org_code)
    code = assignment.org_code
    comment = clean_text(comment)
    if not comment:
        refuse(RefusalCode.MISSING_COMMENT, "say why it is not yours")

    before = incident
    steps = lengths(incident, policy)
    respond_window = calendars.elapsed(Party.ORGANISATION, code, assignment.received_at, now)
    incident = with_assignment(
        incident,
        dataclasses.replace(
            assignment,
            status=AssignmentStatus.DECLINED,
            decline_comment=comment,
            consolidator=False,
        ),
    )
    incident = meet(incident, running(incident, DeadlineKind.RESPOND, org_code=code), now)
    # Its other clocks (draft, information, review of its drafts, ...) no longer apply.
    incident = cancel(incident, running(incident, org_code=code), now)
    incident = supersede_drafts(incident, keep=lambda draft: draft.org_code != code)
    # п.11: the curator re-routes within 30 working minutes of the message.
    reroute_due = step_due(
        incident, DeadlineKind.REROUTE, Party.CENTRE, None, now, steps.reroute, policy, calendars
    )
    incident = start(incident, DeadlineKind.REROUTE, Party.CENTRE, reroute_due, now, org_code=code)
    message = Message(
        Addressee.curators(),
        "incident.declined",
        {"org_code": code, "comment": comment, "reroute_due_at": iso(reroute_due)},
    )
    return finish(
        NAME,
        before,
        incident,
        actor,
        now,
        {"comment": comment, "org_code": code},
        {"p11_late": respond_window > steps.respond, "reroute_due_at": iso(reroute_due)},
        [message],
    )
