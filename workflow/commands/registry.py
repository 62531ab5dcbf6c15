"""The one registry of the steps: for each command class, its event, how to apply it, how
to rebuild it from the event log, and who may issue it now.

`apply` runs a command; `decode` turns a logged event back into its command (replay);
`Entry.guard` refuses (raises `CommandRefused`) exactly when no instance of the command
could succeed for this actor now, using the same checks the command runs, so the card's
buttons (`allowed.allowed_commands`) and the command never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from workflow.calendars import Calendars
from workflow.commands import (
    closing,
    consolidation,
    declining,
    dismissal,
    drafting,
    importance,
    publication,
    reviewing,
    routing,
    stage_limits,
    taking,
    withdrawal,
)
from workflow.commands.codec import limits_from_json, media_from_json
from workflow.commands.steps import (
    DRAFT_COMMANDS,
    AskClarification,
    CloseNoAnswer,
    Command,
    ConfirmPublication,
    Decline,
    Dismiss,
    PickConsolidator,
    Reopen,
    Reroute,
    Review,
    Route,
    SetImportance,
    SetStageLimits,
    SubmitDraft,
    SubmitInfo,
    SubmitInterim,
    Take,
    WithdrawOrganisation,
)
from workflow.effects import Actor, Outcome
from workflow.errors import ReplayError
from workflow.model import DraftKind, Importance, Incident, NoAnswerReason, ReturnReason
from workflow.policy import Policy

C = TypeVar("C")


@dataclass(frozen=True, slots=True)
class Situation:
    """What a guard looks at: the incident, who would act, when, under which rules."""

    incident: Incident
    actor: Actor
    now: datetime
    policy: Policy
    calendars: Calendars
    known_org_codes: tuple[str, ...] = ()  # organisations a routing could name


Applier = Callable[[C, Incident, Actor, datetime, Policy, Calendars], Outcome]
Decoder = Callable[[Mapping[str, Any]], Command]
Guard = Callable[[Situation], object]  # raises CommandRefused; the value is ignored


@dataclass(frozen=True, slots=True)
class Entry(Generic[C]):
    kind: type[C]
    event: str  # the stored event name: never rename it, old logs replay by it
    apply: Applier[C]
    decode: Decoder
    guard: Guard


# --- appliers: the command object into the step's function -------------------------------------


def _route(c: Route, i: Incident, a: Actor, n: datetime, p: Policy, k: Calendars) -> Outcome:
    return routing.route(i, a, n, p, k, c.org_codes, c.topic, c.location)


def _reroute(c: Reroute, i: Incident, a: Actor, n: datetime, p: Policy, k: Calendars) -> Outcome:
    return routing.reroute(i, a, n, p, k, c.org_codes, c.topic, c.location)


def _take(c: Take, i: Incident, a: Actor, n: datetime, p: Policy, k: Calendars) -> Outcome:
    return taking.take(i, a, n, p, k, c.org_code)


def _decline(c: Decline, i: Incident, a: Actor, n: datetime, p: Policy, k: Calendars) -> Outcome:
    return declining.decline(i, a, n, p, k, c.comment, c.org_code)


def _submit(
    c: AskClarification | SubmitDraft | SubmitInterim | SubmitInfo,
    i: Incident,
    a: Actor,
    n: datetime,
    p: Policy,
    k: Calendars,
) -> Outcome:
    return drafting.submit_draft(i, a, n, p, k, c.kind, c.text, c.media, c.org_code)


def _review(c: Review, i: Incident, a: Actor, n: datetime, p: Policy, k: Calendars) -> Outcome:
    return reviewing.review(i, a, n, p, k, c.draft_id, c.approve, c.reasons, c.comment)


def _publish(
    c: ConfirmPublication, i: Incident, a: Actor, n: datetime, p: Policy, k: Calendars
) -> Outcome:
    return publication.confirm_publication(i, a, n, p, k, c.draft_id, c.url)


def _pick(
    c: PickConsolidator, i: Incident, a: Actor, n: datetime, p: Policy, k: Calendars
) -> Outcome:
    return consolidation.pick_consolidator(i, a, n, p, k, c.org_code)


def _importance(
    c: SetImportance, i: Incident, a: Actor, n: datetime, p: Policy, k: Calendars
) -> Outcome:
    return importance.set_importance(i, a, n, p, k, c.importance)


def _limits(
    c: SetStageLimits, i: Incident, a: Actor, n: datetime, p: Policy, k: Calendars
) -> Outcome:
    return stage_limits.set_stage_limits(i, a, n, p, k, c.limits)


def _close(
    c: CloseNoAnswer, i: Incident, a: Actor, n: datetime, p: Policy, k: Calendars
) -> Outcome:
    return closing.close_no_answer(i, a, n, p, k, c.reason, c.comment)


def _dismiss(c: Dismiss, i: Incident, a: Actor, n: datetime, p: Policy, k: Calendars) -> Outcome:
    return dismissal.dismiss(i, a, n, p, k, c.ground, c.duplicate_of, c.comment)


def _withdraw(
    c: WithdrawOrganisation, i: Incident, a: Actor, n: datetime, p: Policy, k: Calendars
) -> Outcome:
    return withdrawal.withdraw_organisation(i, a, n, p, k, c.org_code, c.comment)


def _reopen(c: Reopen, i: Incident, a: Actor, n: datetime, p: Policy, k: Calendars) -> Outcome:
    return closing.reopen(i, a, n, p, k, c.comment)


# --- decoders: an event's JSON arguments back into the command -----------------------------------


def _decode_draft(args: Mapping[str, Any]) -> Command:
    return DRAFT_COMMANDS[DraftKind(args["kind"])](
        text=args["text"],
        media=media_from_json(args.get("media", ())),
        org_code=args.get("org_code"),
    )


def _decode_review(args: Mapping[str, Any]) -> Command:
    return Review(
        draft_id=int(args["draft_id"]),
        approve=bool(args["approve"]),
        reasons=tuple(ReturnReason(reason) for reason in args.get("reasons", ())),
        comment=args.get("comment"),
    )


def _submit_guard(kind: DraftKind) -> Guard:
    return lambda s: drafting.check_submit(s.incident, s.actor, kind)


def _entry(
    kind: type[C], event: str, apply: Applier[C], decode: Decoder, guard: Guard
) -> tuple[type, Entry[Any]]:
    return kind, Entry(kind, event, apply, decode, guard)


REGISTRY: Mapping[type, Entry[Any]] = dict(
    [
        _entry(
            Route,
            routing.ROUTE,
            _route,
            lambda a: Route(tuple(a["org_codes"]), a["topic"], a["location"]),
            lambda s: routing.may_route(s.incident, s.actor, s.calendars, s.known_org_codes),
        ),
        _entry(
            Reroute,
            routing.REROUTE,
            _reroute,
            lambda a: Reroute(tuple(a["org_codes"]), a.get("topic"), a.get("location")),
            lambda s: routing.may_reroute(s.incident, s.actor, s.calendars, s.known_org_codes),
        ),
        _entry(
            Take,
            taking.NAME,
            _take,
            lambda a: Take(a.get("org_code")),
            lambda s: taking.check_take(s.incident, s.actor),
        ),
        _entry(
            Decline,
            declining.NAME,
            _decline,
            lambda a: Decline(a["comment"], a.get("org_code")),
            lambda s: declining.check_decline(s.incident, s.actor),
        ),
        *(
            _entry(cls, drafting.NAME, _submit, _decode_draft, _submit_guard(cls.kind))
            for cls in DRAFT_COMMANDS.values()
        ),
        _entry(
            Review,
            reviewing.NAME,
            _review,
            _decode_review,
            lambda s: reviewing.may_review(s.incident, s.actor),
        ),
        _entry(
            ConfirmPublication,
            publication.NAME,
            _publish,
            lambda a: ConfirmPublication(int(a["draft_id"]), a["url"]),
            lambda s: publication.may_publish(s.incident, s.actor),
        ),
        _entry(
            PickConsolidator,
            consolidation.NAME,
            _pick,
            lambda a: PickConsolidator(a["org_code"]),
            lambda s: consolidation.may_pick(s.incident, s.actor),
        ),
        _entry(
            SetImportance,
            importance.NAME,
            _importance,
            lambda a: SetImportance(Importance(a["importance"])),
            lambda s: importance.may_set_importance(s.incident, s.actor),
        ),
        _entry(
            SetStageLimits,
            stage_limits.NAME,
            _limits,
            lambda a: SetStageLimits(limits_from_json(a["limits"])),
            lambda s: stage_limits.check_set_stage_limits(s.incident, s.actor),
        ),
        _entry(
            CloseNoAnswer,
            closing.CLOSE,
            _close,
            lambda a: CloseNoAnswer(NoAnswerReason(a["reason"]), a.get("comment")),
            lambda s: closing.check_close(s.incident, s.actor),
        ),
        _entry(
            Dismiss,
            dismissal.NAME,
            _dismiss,
            lambda a: Dismiss(a["ground"], a.get("duplicate_of"), a.get("comment")),
            lambda s: dismissal.check_dismiss(s.incident, s.actor),
        ),
        _entry(
            WithdrawOrganisation,
            withdrawal.NAME,
            _withdraw,
            lambda a: WithdrawOrganisation(a["org_code"], a["comment"]),
            lambda s: withdrawal.may_withdraw(s.incident, s.actor),
        ),
        _entry(
            Reopen,
            closing.REOPEN,
            _reopen,
            lambda a: Reopen(a["comment"]),
            lambda s: closing.check_reopen(s.incident, s.actor),
        ),
    ]
)

# Event name -> how to rebuild its command (the four draft commands share "submit_draft").
DECODERS: Mapping[str, Decoder] = {entry.event: entry.decode for entry in REGISTRY.values()}
EVENT_NAMES: frozenset[str] = frozenset(DECODERS)


def entry(command: Command) -> Entry[Any]:
    found = REGISTRY.get(type(command))
    if found is None:
        raise TypeError(f"not a workflow command: {command!r}")
    return found


def apply(
    command: Command,
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
) -> Outcome:
    """Run one command; raises `CommandRefused` (and changes nothing) when it does not fit."""
    return entry(command).apply(command, incident, actor, now, policy, calendars)


def decode(event: str, args: Mapping[str, Any]) -> Command:
    """The command a logged event recorded."""
    decoder = DECODERS.get(event)
    if decoder is None:
        raise ReplayError(f"unknown command {event!r}")
    return decoder(args)
