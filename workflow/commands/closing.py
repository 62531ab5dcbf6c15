"""п.21: no answer to threats, obscenity and insults; and reopening a finished incident."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from workflow.calendars import Calendars
from workflow.commands.base import (
    LIVE_ASSIGNMENTS,
    answer_length,
    as_utc,
    cancel,
    clean_text,
    finish,
    iso,
    live_assignments,
    optional_text,
    refuse,
    require_curator,
    require_open,
    running,
    start,
    supersede_drafts,
)
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.model import (
    AssignmentStatus,
    DeadlineKind,
    Incident,
    IncidentStatus,
    NoAnswerReason,
    Party,
)
from workflow.policy import Policy

CLOSE = "close_no_answer"
REOPEN = "reopen"


def check_close(incident: Incident, actor: Actor) -> None:
    require_open(incident)
    require_curator(actor)


def check_reopen(incident: Incident, actor: Actor) -> None:
    require_curator(actor)
    if incident.status not in {
        IncidentStatus.ANSWERED,
        IncidentStatus.CLOSED_NO_ANSWER,
        IncidentStatus.DISMISSED,  # п.10
    }:
        refuse(RefusalCode.WRONG_STATE, "only finished incidents are reopened")


def close_no_answer(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    reason: NoAnswerReason,
    comment: str | None = None,
) -> Outcome:
    """The curator decides that the post gets no answer; the decision and reason are kept."""
    now = as_utc(now)
    reason = NoAnswerReason(reason)
    check_close(incident, actor)

    before = incident
    comment = optional_text(comment)
    orgs = [a.org_code for a in live_assignments(incident)]
    incident = cancel(incident, running(incident), now)
    incident = supersede_drafts(incident, keep=lambda draft: False)
    incident = dataclasses.replace(
        incident,
        status=IncidentStatus.CLOSED_NO_ANSWER,
        no_answer_reason=reason,
        assignments=tuple(
            dataclasses.replace(a, status=AssignmentStatus.WITHDRAWN)
            if a.status in LIVE_ASSIGNMENTS
            else a
            for a in incident.assignments
        ),
    )
    params = {"reason": reason.value, "comment": comment}
    messages = [Message(Addressee.curators(), "incident.closed_no_answer", params)]
    messages += [
        Message(Addressee.organisation(code), "incident.closed_no_answer", params) for code in orgs
    ]
    return finish(CLOSE, before, incident, actor, now, params, {"withdrawn_from": orgs}, messages)


def reopen(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    comment: str,
) -> Outcome:
    """Back to NEW: the curator routes it again (п.10), possibly to the same organisation.

    The answer clock starts afresh from the reopening moment with the п.9 / п.17 length,
    and so does the п.10 routing clock; the п.18 limits and the п.19 mode are reset.
    """
    now = as_utc(now)
    check_reopen(incident, actor)
    comment = clean_text(comment)
    if not comment:
        refuse(RefusalCode.MISSING_COMMENT, "say why it is reopened")

    before = incident
    incident = dataclasses.replace(
        incident,
        status=IncidentStatus.NEW,
        no_answer_reason=None,
        dismissal_ground=None,
        dismissal_duplicate_of=None,
        consolidated=False,
        stage_limits=None,
        assignments=tuple(dataclasses.replace(a, consolidator=False) for a in incident.assignments),
    )
    answer_due = calendars.add(
        Party.EVERYONE, None, now, answer_length(incident.importance, policy)
    )
    incident = start(incident, DeadlineKind.ANSWER, Party.EVERYONE, answer_due, now)
    route_due = calendars.add(Party.CENTRE, None, now, policy.route)
    incident = start(incident, DeadlineKind.ROUTE, Party.CENTRE, route_due, now)
    facts = {
        "previous_status": before.status.value,
        "answer_due_at": iso(answer_due),
        "route_due_at": iso(route_due),
    }
    message = Message(Addressee.curators(), "incident.reopened", {"comment": comment, **facts})
    return finish(REOPEN, before, incident, actor, now, {"comment": comment}, facts, [message])
