"""Shared pieces of the commands: checks, deadline bookkeeping, the outcome.

Each command module does one step of Appendix 1; what they have in common lives here so
that every rule is still written once.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from workflow.effects import Actor, Event, JSONDict, Message, Outcome
from workflow.errors import CommandRefused, RefusalCode
from workflow.fairness import answer_length as answer_length
from workflow.model import (
    ANSWER_DEADLINE_KINDS,
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    Deadline,
    DeadlineKind,
    DeadlineState,
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    IncidentStatus,
    Party,
)
from workflow.policy import Policy

# Assignments an organisation is still working on.
LIVE_ASSIGNMENTS: frozenset[AssignmentStatus] = frozenset(
    {AssignmentStatus.SENT, AssignmentStatus.TAKEN, AssignmentStatus.INFO_SENT}
)
# Drafts still on their way to the author.
LIVE_DRAFTS: frozenset[DraftStatus] = frozenset({DraftStatus.PENDING, DraftStatus.APPROVED})
# Drafts the curator reviews (п.14); INFO only feeds the consolidated answer (п.19).
REVIEWED_KINDS: frozenset[DraftKind] = frozenset(
    {DraftKind.ANSWER, DraftKind.INTERIM, DraftKind.CLARIFICATION}
)


# --- small helpers ----------------------------------------------------------------------------


def refuse(code: RefusalCode, detail: str = "", **params: Any) -> NoReturn:
    raise CommandRefused(code, detail, **params)


def passes(check: Callable[..., object], *args: Any) -> bool:
    """Whether a check (a function that refuses by raising) lets this through.

    The guards that decide which steps a person may take now are the very checks the
    commands run before changing anything; this turns one into a yes or no.
    """
    try:
        check(*args)
    except CommandRefused:
        return False
    return True


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the workflow needs aware datetimes")
    return moment.astimezone(UTC)


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def clean_text(value: str | None) -> str:
    return (value or "").strip()


def optional_text(value: str | None) -> str | None:
    return clean_text(value) or None


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Non-empty, stripped, first occurrence kept."""
    seen: dict[str, None] = {}
    for value in values:
        value = value.strip()
        if value:
            seen.setdefault(value, None)
    return tuple(seen)


CYRILLIC = re.compile(r"[А-Яа-яЁё]")


# --- checks -----------------------------------------------------------------------------------


def require_open(incident: Incident) -> None:
    """Answered and closed incidents accept nothing but reopening."""
    if incident.status not in OPEN_STATUSES:
        refuse(RefusalCode.CLOSED, f"incident is {incident.status.value}")


def require_routed(incident: Incident) -> None:
    require_open(incident)
    if incident.status is IncidentStatus.NEW:
        refuse(RefusalCode.WRONG_STATE, "not routed yet")


def require_curator(actor: Actor) -> None:
    if not actor.is_curator:
        refuse(RefusalCode.NOT_ALLOWED, "curators only")


def live_assignment(incident: Incident, actor: Actor, org_code: str | None) -> Assignment:
    """The organisation's live assignment the actor wants to work on."""
    code = org_code or actor.org_code
    found = assignment_of(incident, code) if code else None
    if found is None or found.status not in LIVE_ASSIGNMENTS:
        if code is None or not (actor.is_executor_of(code) or actor.stands_in_for):
            refuse(RefusalCode.NOT_ALLOWED, "not an executor of a routed organisation")
        refuse(RefusalCode.NOT_ASSIGNED, f"{code} has no live assignment", org_code=code)
    return found


def check_may_work_on(assignment: Assignment, actor: Actor) -> None:
    """The holder or their stand-in (п.8); anyone of the organisation while nobody holds it."""
    holder = assignment.holder_id
    if holder is None:
        if not actor.is_executor_of(assignment.org_code):
            refuse(RefusalCode.NOT_ALLOWED, "not an executor of this organisation")
        return
    if actor.acts_for(holder):
        return
    if actor.is_executor_of(assignment.org_code):
        refuse(RefusalCode.ALREADY_TAKEN, f"held by {holder}", holder_id=holder)
    refuse(RefusalCode.NOT_ALLOWED, "neither the holder nor their stand-in")


def hold(assignment: Assignment, actor: Actor) -> Assignment:
    """Taking implicitly: the first executor who acts on an unheld assignment holds it."""
    if assignment.holder_id is not None:
        return assignment
    status = (
        AssignmentStatus.TAKEN if assignment.status is AssignmentStatus.SENT else assignment.status
    )
    return dataclasses.replace(assignment, holder_id=actor.person_id, status=status)


# --- lookups ----------------------------------------------------------------------------------


def assignment_of(incident: Incident, org_code: str) -> Assignment | None:
    for assignment in incident.assignments:
        if assignment.org_code == org_code:
            return assignment
    return None


def live_assignments(incident: Incident) -> tuple[Assignment, ...]:
    return tuple(a for a in incident.assignments if a.status in LIVE_ASSIGNMENTS)


def draft_by_id(incident: Incident, draft_id: int) -> Draft:
    for draft in incident.drafts:
        if draft.id == draft_id:
            return draft
    refuse(RefusalCode.NO_SUCH_DRAFT, f"no draft {draft_id}", draft_id=draft_id)


def running(
    incident: Incident,
    kind: DeadlineKind | None = None,
    *,
    org_code: str | None = None,
    draft_id: int | None = None,
) -> tuple[Deadline, ...]:
    return tuple(
        d
        for d in incident.deadlines
        if d.running
        and (kind is None or d.kind is kind)
        and (org_code is None or d.org_code == org_code)
        and (draft_id is None or d.draft_id == draft_id)
    )


def answer_clock(incident: Incident) -> Deadline:
    """The running п.9 / п.17 / п.18 deadline: exactly one while the incident is open."""
    clocks = [d for d in incident.deadlines if d.running and d.kind in ANSWER_DEADLINE_KINDS]
    if len(clocks) != 1:
        raise AssertionError(f"open incident {incident.id} has {len(clocks)} answer clocks")
    return clocks[0]


# --- replacing parts of the value --------------------------------------------------------------


def with_assignment(incident: Incident, assignment: Assignment) -> Incident:
    """One assignment per organisation: a new one replaces a finished one of the same org."""
    others = tuple(a for a in incident.assignments if a.org_code != assignment.org_code)
    if len(others) == len(incident.assignments):
        return dataclasses.replace(incident, assignments=(*incident.assignments, assignment))
    return dataclasses.replace(
        incident,
        assignments=tuple(
            assignment if a.org_code == assignment.org_code else a for a in incident.assignments
        ),
    )


def with_draft(incident: Incident, draft: Draft) -> Incident:
    if any(d.id == draft.id for d in incident.drafts):
        drafts = tuple(draft if d.id == draft.id else d for d in incident.drafts)
    else:
        drafts = (*incident.drafts, draft)
    return dataclasses.replace(incident, drafts=drafts)


def supersede_drafts(incident: Incident, keep: Callable[[Draft], bool]) -> Incident:
    """Drafts still on their way that no longer apply (closing, "not ours", answered)."""
    return dataclasses.replace(
        incident,
        drafts=tuple(
            dataclasses.replace(d, status=DraftStatus.SUPERSEDED)
            if d.status in LIVE_DRAFTS and not keep(d)
            else d
            for d in incident.drafts
        ),
    )


# --- deadlines --------------------------------------------------------------------------------


def start(
    incident: Incident,
    kind: DeadlineKind,
    party: Party,
    due_at: datetime,
    started_at: datetime,
    *,
    org_code: str | None = None,
    draft_id: int | None = None,
) -> Incident:
    deadline = Deadline(
        kind=kind,
        party=party,
        due_at=as_utc(due_at),
        started_at=started_at,
        org_code=org_code,
        draft_id=draft_id,
    )
    return dataclasses.replace(incident, deadlines=(*incident.deadlines, deadline))


def end(
    incident: Incident,
    which: Iterable[Deadline],
    state: DeadlineState,
    at: datetime,
    *,
    due_at: datetime | None = None,
) -> Incident:
    """Stop the given running deadlines (identified by value among the running ones)."""
    targets = [d for d in which if d.running]
    if not targets:
        return incident
    deadlines = list(incident.deadlines)
    for target in targets:
        index = next(i for i, d in enumerate(deadlines) if d is target or d == target)
        deadlines[index] = dataclasses.replace(
            target,
            state=state,
            ended_at=at,
            due_at=due_at if due_at is not None else target.due_at,
        )
    return dataclasses.replace(incident, deadlines=tuple(deadlines))


def meet(incident: Incident, which: Iterable[Deadline], at: datetime) -> Incident:
    return end(incident, which, DeadlineState.MET, at)


def cancel(incident: Incident, which: Iterable[Deadline], at: datetime) -> Incident:
    return end(incident, which, DeadlineState.CANCELLED, at)


@dataclass(frozen=True, slots=True)
class Lengths:
    """The step lengths in force for an incident: the policy, or the curator's п.18 limits."""

    respond: timedelta
    clarification: timedelta
    reroute: timedelta
    draft_margin: timedelta
    review: timedelta
    resubmit: timedelta
    publish: timedelta


def lengths(incident: Incident, policy: Policy) -> Lengths:
    base = Lengths(
        respond=policy.not_ours,
        clarification=policy.clarification,
        reroute=policy.reroute,
        draft_margin=policy.draft_margin,
        review=policy.review,
        resubmit=policy.resubmit,
        publish=policy.publish,
    )
    limits = incident.stage_limits
    if incident.status is not IncidentStatus.INTERIM or limits is None:
        return base
    # п.18: "в этом случае сроки для действий, предусмотренных пунктами 11-16, определяет куратор".
    respond = limits.respond or base.respond
    return Lengths(
        respond=respond,
        clarification=limits.respond or base.clarification,
        reroute=limits.reroute or base.reroute,
        draft_margin=limits.draft_margin or base.draft_margin,
        review=limits.review or base.review,
        resubmit=limits.resubmit or base.resubmit,
        publish=limits.publish or base.publish,
    )


# --- the outcome ------------------------------------------------------------------------------


def finish(
    command: str,
    before: Incident,
    after: Incident,
    actor: Actor | None,
    now: datetime,
    args: JSONDict,
    facts: JSONDict | None = None,
    messages: Iterable[Message] = (),
) -> Outcome:
    """Bump the version and record the event: one event per applied command."""
    incident = dataclasses.replace(after, version=before.version + 1)
    event = Event(
        incident_id=incident.id,
        seq=incident.version,
        at=now,
        command=command,
        args=args,
        actor=actor,
        facts=facts or {},
    )
    return Outcome(
        incident=incident,
        events=(event,),
        messages=tuple(
            dataclasses.replace(message, incident_id=incident.id) for message in messages
        ),
        previous=before,
    )
