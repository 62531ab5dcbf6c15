"""Fair clocks: a party is never late the moment it is handed a step (docs/fair-clocks.md).

The regulation counts some steps back from the answer deadline (п.12: the draft 30 minutes
before it; п.19: the information in time for the consolidated draft). When an earlier step
overran, such a deadline can fall before the step even started. The project's rule: a
step's deadline is the regulation's, on the calendar of the party that must act, but never
earlier than the step's start plus a minimum (`Policy.minimums`; by default the length the
step has when every earlier step is on time).

When the answer deadline is missed, `late_steps` says which steps overran and by how much,
each on its own party's calendar, so the blame lands on whoever was late.

Pure: no I/O, no wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from workflow.calendars import Calendars
from workflow.effects import JSONDict
from workflow.model import (
    ANSWER_DEADLINE_KINDS,
    DeadlineKind,
    DeadlineState,
    Importance,
    Incident,
    Party,
)
from workflow.policy import Policy

_ZERO = timedelta(0)


def answer_length(importance: Importance, policy: Policy) -> timedelta:
    # п.9: 3 working hours; п.17: 2 for a high-importance incident.
    return policy.answer_high_importance if importance is Importance.HIGH else policy.answer


def minimum(
    kind: DeadlineKind, importance: Importance, policy: Policy, own: timedelta
) -> timedelta:
    """The least working time a step gets from its start.

    `own` is the step's length in the regulation (for clocks counted from their start). The
    draft's and the information's own lengths are what is left to them when every earlier
    step is on time: the draft gets the answer's length less routing (п.10) and the п.12
    margin; the п.19 information that less the п.19 routing and the consolidation.
    """
    floors = policy.minimums
    configured = {
        DeadlineKind.RESPOND: floors.respond,
        DeadlineKind.REROUTE: floors.reroute,
        DeadlineKind.DRAFT: floors.draft,
        DeadlineKind.INFO: floors.info,
        DeadlineKind.REVIEW: floors.review,
        DeadlineKind.RESUBMIT: floors.resubmit,
        DeadlineKind.PUBLISH: floors.publish,
    }.get(kind)
    if configured is not None:
        return configured
    answer = answer_length(importance, policy)
    if kind is DeadlineKind.DRAFT:
        return max(answer - policy.route - policy.draft_margin, _ZERO)
    if kind is DeadlineKind.INFO:
        rest = answer - policy.multi_route - policy.draft_margin - policy.consolidation
        return max(rest, _ZERO)
    return own


def fair_due(
    calendars: Calendars,
    party: Party,
    org_code: str | None,
    started: datetime,
    regulation_due: datetime,
    floor: timedelta,
) -> datetime:
    """The regulation's moment, or the step's start plus its minimum if that is later."""
    if floor <= _ZERO:
        return max(regulation_due, started)
    return max(regulation_due, calendars.add(party, org_code, started, floor))


@dataclass(frozen=True, slots=True)
class LateStep:
    """A step that overran its deadline: who (party, organisation) and by how much."""

    position: int  # the deadline's index in Incident.deadlines
    kind: DeadlineKind
    party: Party
    org_code: str | None
    late: timedelta  # working time on the party's calendar

    @property
    def minutes(self) -> int:
        return -(-int(self.late.total_seconds()) // 60)

    def to_json(self) -> JSONDict:
        return {
            "kind": self.kind.value,
            "party": self.party.value,
            "org_code": self.org_code,
            "minutes": self.minutes,
        }


def late_steps(incident: Incident, calendars: Calendars, at: datetime) -> tuple[LateStep, ...]:
    """The steps of the current answer clock that overran by `at`, in the order they started.

    A step counts if it ended (done, or cancelled) after its due moment, or is still running
    past it. Steps of an earlier round (before a reopening) are not this answer's.
    """
    clocks = [d for d in incident.deadlines if d.kind in ANSWER_DEADLINE_KINDS]
    if not clocks:
        return ()
    since = clocks[-1].started_at  # the latest answer clock (a replaced one keeps its start)
    found: list[LateStep] = []
    for position, deadline in enumerate(incident.deadlines):
        if deadline.kind in ANSWER_DEADLINE_KINDS or deadline.started_at < since:
            continue
        if deadline.state is DeadlineState.RUNNING:
            end = at
        else:
            assert deadline.ended_at is not None
            end = min(deadline.ended_at, at)
        late = calendars.lateness(deadline, end)
        if late > _ZERO:
            found.append(LateStep(position, deadline.kind, deadline.party, deadline.org_code, late))
    return tuple(found)


def late_steps_json(incident: Incident, calendars: Calendars, at: datetime) -> list[JSONDict]:
    return [step.to_json() for step in late_steps(incident, calendars, at)]
