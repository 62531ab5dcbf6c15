"""The workflow's commands: one module per step of Appendix 1.

Every command is a plain function
`(incident, actor, now, policy, calendars, **args) -> Outcome` that raises
`CommandRefused` (and changes nothing) when the actor may not do it or it does not fit.
`detect` creates the incident. `REPLAYERS` maps each event's command name to a function
that applies it again from the event's JSON arguments (workflow/replay.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from workflow.calendars import Calendars
from workflow.commands import (
    closing,
    consolidation,
    declining,
    drafting,
    importance,
    publication,
    reviewing,
    routing,
    stage_limits,
    taking,
)
from workflow.commands.closing import close_no_answer, reopen
from workflow.commands.consolidation import pick_consolidator
from workflow.commands.declining import decline
from workflow.commands.detection import detect
from workflow.commands.drafting import submit_draft
from workflow.commands.importance import set_importance
from workflow.commands.publication import confirm_publication
from workflow.commands.reviewing import review
from workflow.commands.routing import reroute, route
from workflow.commands.stage_limits import set_stage_limits
from workflow.commands.taking import take
from workflow.effects import Actor, Outcome
from workflow.model import Incident
from workflow.policy import Policy

Replayer = Callable[[Incident, Actor, datetime, Policy, Calendars, Mapping[str, Any]], Outcome]

REPLAYERS: Mapping[str, Replayer] = {
    routing.ROUTE: routing.replay_route,
    routing.REROUTE: routing.replay_reroute,
    taking.NAME: taking.replay,
    declining.NAME: declining.replay,
    drafting.NAME: drafting.replay,
    reviewing.NAME: reviewing.replay,
    publication.NAME: publication.replay,
    consolidation.NAME: consolidation.replay,
    importance.NAME: importance.replay,
    stage_limits.NAME: stage_limits.replay,
    closing.CLOSE: closing.replay_close,
    closing.REOPEN: closing.replay_reopen,
}

__all__ = [
    "REPLAYERS",
    "close_no_answer",
    "confirm_publication",
    "decline",
    "detect",
    "pick_consolidator",
    "reopen",
    "reroute",
    "review",
    "route",
    "set_importance",
    "set_stage_limits",
    "submit_draft",
    "take",
]
