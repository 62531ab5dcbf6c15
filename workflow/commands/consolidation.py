"""п.19: with everyone's information in, the curator names who drafts the consolidated answer."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from workflow.calendars import Calendars
from workflow.commands.base import (
    as_utc,
    assignment_of,
    finish,
    iso,
    live_assignments,
    refuse,
    require_curator,
    require_routed,
    running,
    start_draft_deadline,
    with_assignment,
)
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.model import AssignmentStatus, DeadlineKind, Incident
from workflow.policy import Policy

NAME = "pick_consolidator"


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
    require_routed(incident)
    require_curator(actor)
    if not incident.consolidated:
        refuse(RefusalCode.WRONG_STATE, "a single organisation drafts the answer itself")
    live = live_assignments(incident)
    if any(a.consolidator for a in live):
        refuse(RefusalCode.CONSOLIDATOR_ALREADY_PICKED)
    chosen = assignment_of(incident, org_code)
    if chosen is None or chosen not in live:
        refuse(RefusalCode.NOT_ASSIGNED, org_code, org_code=org_code)
    missing = sorted(a.org_code for a in live if a.status is not AssignmentStatus.INFO_SENT)
    if missing:
        refuse(RefusalCode.INFO_PENDING, ", ".join(missing), org_codes=missing)

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


def replay(
    incident: Incident,
    actor: Actor,
    at: datetime,
    policy: Policy,
    calendars: Calendars,
    args: Mapping[str, Any],
) -> Outcome:
    return pick_consolidator(incident, actor, at, policy, calendars, args["org_code"])
