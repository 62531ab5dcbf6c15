"""Which card buttons a reader may press now: the workflow's own answer, turned into buttons.

Nothing here decides a rule: `allowed_commands` answers from the same checks the commands
run. The press itself runs the real command again, so a stale card can never do what the
core refuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.services.addressing import Audience
from bot.views.callbacks import Act
from workflow import commands as cmd
from workflow.calendars import Calendars
from workflow.effects import Actor
from workflow.model import Importance, Incident
from workflow.policy import Policy
from workflow.roles import Role

# Steps without a target, in the order their buttons appear.
_EXECUTOR_ACTS: tuple[tuple[type[cmd.Command], Act], ...] = (
    (cmd.Take, Act.TAKE),
    (cmd.Decline, Act.DECLINE),
    (cmd.AskClarification, Act.CLARIFY),
    (cmd.SubmitDraft, Act.DRAFT),
    (cmd.SubmitInterim, Act.INTERIM),
    (cmd.SubmitInfo, Act.INFO),
)
_CURATOR_ACTS: tuple[tuple[type[cmd.Command], Act], ...] = (
    (cmd.Route, Act.ROUTE),
    (cmd.Reroute, Act.REROUTE),
    (cmd.PickConsolidator, Act.PICK),
    (cmd.WithdrawOrganisation, Act.WITHDRAW),
)
_IMPORTANCE_ACTS = {Importance.HIGH: Act.HIGH, Importance.NORMAL: Act.NORMAL}
_CLOSING_ACTS: tuple[tuple[type[cmd.Command], Act], ...] = (
    (cmd.SetStageLimits, Act.LIMITS),
    (cmd.Dismiss, Act.DISMISS),
    (cmd.CloseNoAnswer, Act.CLOSE),
    (cmd.Reopen, Act.REOPEN),
)


def curator_actor() -> Actor:
    return Actor(person_id=0, roles=frozenset({Role.CURATOR}))


def executor_actor(incident: Incident, org_code: str) -> Actor:
    """The organisation's executor who would press: the holder if someone holds it."""
    holder = next(
        (a.holder_id for a in incident.assignments if a.org_code == org_code and a.holder_id),
        None,
    )
    return Actor(person_id=holder or 0, roles=frozenset({Role.EXECUTOR}), org_code=org_code)


def buttons(allowed: cmd.Allowed, incident: Incident) -> list[tuple[Act, int]]:
    """(action, draft id or 0) pairs, in the card's order."""
    found = [(act, 0) for kind, act in _EXECUTOR_ACTS if kind in allowed]
    for draft in incident.drafts:
        if draft.id in allowed.reviewable:
            found.append((Act.REVIEW, draft.id))
        elif draft.id in allowed.publishable:
            found.append((Act.PUBLISH, draft.id))
    found += [(act, 0) for kind, act in _CURATOR_ACTS if kind in allowed]
    found += [
        (act, 0) for level, act in _IMPORTANCE_ACTS.items() if level in allowed.importance_choices
    ]
    found += [(act, 0) for kind, act in _CLOSING_ACTS if kind in allowed]
    return found


def available(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    org_codes: Iterable[str] = (),
) -> list[tuple[Act, int]]:
    """(action, draft id or 0) pairs the core would accept from this actor now."""
    allowed = cmd.allowed_commands(incident, actor, now, policy, calendars, org_codes)
    return buttons(allowed, incident)


def card_buttons(
    incident: Incident,
    audience: Audience,
    org_code: str | None,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    org_codes: Sequence[str],
) -> list[tuple[Act, int]]:
    """The buttons of the card shown to an audience: the curator's, an organisation's (as
    its holder would see them), or none for a read-only viewer."""
    if audience is Audience.VIEWER:
        return []
    if audience is Audience.CENTRE or not org_code:
        actor = curator_actor()
    else:
        actor = executor_actor(incident, org_code)
    return available(incident, actor, now, policy, calendars, org_codes)
