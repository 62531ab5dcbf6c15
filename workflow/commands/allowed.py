"""Which steps a person may take now, and what a button for each needs to know.

The answer comes from the registry's guards, the same checks the commands run before they
change anything; no command is tried with made-up arguments. Executors' steps are answered
for the actor's own organisation (the card of that organisation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from workflow.calendars import Calendars
from workflow.commands import (
    consolidation,
    importance,
    publication,
    reviewing,
    routing,
    withdrawal,
)
from workflow.commands.base import passes
from workflow.commands.registry import REGISTRY, Situation
from workflow.commands.steps import (
    Command,
    ConfirmPublication,
    Dismiss,
    PickConsolidator,
    Reroute,
    Review,
    Route,
    SetImportance,
    WithdrawOrganisation,
)
from workflow.effects import Actor
from workflow.model import DismissalGround, Importance, Incident
from workflow.policy import Policy


@dataclass(frozen=True, slots=True)
class Allowed:
    """The command classes the actor may issue now, with their possible targets."""

    kinds: frozenset[type[Command]]
    reviewable: tuple[int, ...] = ()  # pending draft ids (Review)
    publishable: tuple[int, ...] = ()  # approved draft ids this actor confirms (ConfirmPublication)
    route_candidates: tuple[str, ...] = ()  # organisations not on it now (Route, Reroute)
    consolidator_candidates: tuple[str, ...] = ()  # organisations still on it (PickConsolidator)
    importance_choices: tuple[Importance, ...] = ()  # levels it may be switched to (SetImportance)
    dismissal_grounds: tuple[DismissalGround, ...] = ()  # the policy's п.10 grounds (Dismiss)
    withdraw_candidates: tuple[str, ...] = ()  # silent organisations (WithdrawOrganisation)

    def __contains__(self, kind: object) -> bool:
        return kind in self.kinds


def allowed_commands(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    known_org_codes: Iterable[str] = (),
) -> Allowed:
    situation = Situation(incident, actor, now, policy, calendars, tuple(known_org_codes))
    kinds = frozenset(kind for kind, entry in REGISTRY.items() if passes(entry.guard, situation))
    routing_allowed = Route in kinds or Reroute in kinds
    return Allowed(
        kinds=kinds,
        reviewable=reviewing.reviewable_drafts(incident) if Review in kinds else (),
        publishable=(
            publication.publishable_drafts(incident, actor) if ConfirmPublication in kinds else ()
        ),
        route_candidates=(
            routing.route_candidates(incident, situation.known_org_codes, calendars)
            if routing_allowed
            else ()
        ),
        consolidator_candidates=(
            consolidation.consolidator_candidates(incident) if PickConsolidator in kinds else ()
        ),
        importance_choices=(
            importance.importance_choices(incident) if SetImportance in kinds else ()
        ),
        dismissal_grounds=policy.dismissal_grounds if Dismiss in kinds else (),
        withdraw_candidates=(
            withdrawal.withdraw_candidates(incident) if WithdrawOrganisation in kinds else ()
        ),
    )
