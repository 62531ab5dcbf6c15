"""п.18: after an interim answer the curator sets the lengths of the steps of п.11–16."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from workflow.calendars import Calendars
from workflow.commands.base import (
    as_utc,
    finish,
    live_assignments,
    refuse,
    require_curator,
    require_open,
)
from workflow.commands.clocks import rederive_draft_deadlines
from workflow.commands.codec import STAGE_LIMIT_FIELDS, limits_to_json
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.model import Incident, IncidentStatus, StageLimits
from workflow.policy import Policy

NAME = "set_stage_limits"


def check_set_stage_limits(incident: Incident, actor: Actor) -> None:
    require_open(incident)
    require_curator(actor)
    if incident.status is not IncidentStatus.INTERIM:
        refuse(RefusalCode.WRONG_STATE, "stage limits follow an interim answer (п.18)")


def set_stage_limits(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    limits: StageLimits,
) -> Outcome:
    """The new lengths apply to the steps started from now on; the running draft deadline,
    which is derived from the final-answer deadline, is re-derived with the new margin."""
    now = as_utc(now)
    check_set_stage_limits(incident, actor)
    for name in STAGE_LIMIT_FIELDS:
        value: timedelta | None = getattr(limits, name)
        if value is not None and value <= timedelta(0):
            refuse(RefusalCode.INVALID_LIMIT, name, field=name)
    if limits == (incident.stage_limits or StageLimits()):
        refuse(RefusalCode.NO_CHANGE)

    before = incident
    previous_margin = (incident.stage_limits or StageLimits()).draft_margin
    incident = dataclasses.replace(incident, stage_limits=limits)
    if limits.draft_margin != previous_margin:
        incident = rederive_draft_deadlines(incident, now, policy, calendars)
    params = limits_to_json(limits)
    messages = [
        Message(Addressee.organisation(a.org_code), "incident.stage_limits_set", params)
        for a in live_assignments(incident)
    ]
    return finish(NAME, before, incident, actor, now, {"limits": params}, {}, messages)
