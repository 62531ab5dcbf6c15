"""Reminders and the escalation ladder of a deadline, and quiet hours (pure).

Every running deadline climbs the same ladder, each step counted in working time on the
calendar of the party that must act (`Calendars.for_deadline`):

1. `HALF`: a reminder to whoever must act when `reminder_share` of the time is gone;
2. `FINAL`: a reminder `final_reminder_before` before the deadline;
3. `OVERDUE`: at the deadline, an alert to whoever must act (the directory adds the
   stand-in of an absent person, п.8), the organisation's responsible official (п.8) and
   the curator;
4. `ESCALATED`: `escalate_after` past the deadline, an alert to the managers.

The database keeps, per deadline, the last stage fired (`alert_stage`) and the moment of
the next one (`next_alert_at`); `decide` says what to fire when the scanner looks at a
deadline. A ladder missed while the bot was down collapses into its latest step: one
alert, addressed to everyone the skipped alerts would have reached, and no reminder once
the deadline itself has passed. A met or cancelled deadline is never looked at again; a
replaced deadline (re-routing, importance raised) is a new deadline with a ladder of its own.

Pure: no I/O, no wall clock; `now` is always given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import IntEnum
from typing import Protocol

from workflow.calendars import Calendar
from workflow.commands.base import live_assignments
from workflow.effects import Addressee, AddresseeKind, JSONDict, Message
from workflow.model import Deadline, Importance, Incident, Party
from workflow.roles import Role

__all__ = [
    "DEADLINE_OVERDUE",
    "DEADLINE_OVERDUE_ESCALATED",
    "DEADLINE_REMINDER",
    "AlertCalendar",
    "AlertDecision",
    "AlertPolicy",
    "AlertStage",
    "LadderStep",
    "acting_addressees",
    "alert_messages",
    "audience",
    "decide",
    "ladder",
    "next_step",
    "overdue_deadlines",
    "quiet_until",
    "working_minutes",
]

DEADLINE_REMINDER = "deadline.reminder"
DEADLINE_OVERDUE = "deadline.overdue"
DEADLINE_OVERDUE_ESCALATED = "deadline.overdue_escalated"

_ZERO = timedelta(0)


class AlertCalendar(Calendar, Protocol):
    """What quiet hours need of a calendar besides working-time arithmetic."""

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself if it is working time, else the next opening."""
        ...


class AlertStage(IntEnum):
    """Steps of the ladder in the order they fire; the value is what `alert_stage` stores."""

    NONE = 0  # nothing fired yet
    HALF = 1  # reminder: `reminder_share` of the time is gone
    FINAL = 2  # reminder: `final_reminder_before` left
    OVERDUE = 3
    ESCALATED = 4

    @property
    def key(self) -> str:
        if self in (AlertStage.HALF, AlertStage.FINAL):
            return DEADLINE_REMINDER
        if self is AlertStage.OVERDUE:
            return DEADLINE_OVERDUE
        if self is AlertStage.ESCALATED:
            return DEADLINE_OVERDUE_ESCALATED
        raise ValueError("AlertStage.NONE is not an alert")

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    """Every step of the ladder and of the digests is configuration; these are the defaults.

    A `None` reminder or escalation switches that step off; the overdue alert always fires.
    """

    reminder_share: float | None = 0.5  # of the deadline's working time gone
    final_reminder_before: timedelta | None = timedelta(minutes=10)  # working time
    escalate_after: timedelta | None = timedelta(minutes=30)  # working time past due
    quiet_hours: bool = True  # hold alerts until the reader's next working moment
    digest_time: time | None = time(9, 0)  # local time of each reader; None: no digests
    weekly_digest_weekday: int | None = 0  # 0 = Monday; None: no weekly digest
    digest_catch_up: timedelta = timedelta(hours=4)  # a digest later than this is skipped

    def __post_init__(self) -> None:
        share = self.reminder_share
        if share is not None and not 0 < share < 1:
            raise ValueError(f"reminder_share must lie strictly between 0 and 1, got {share}")
        for name in ("final_reminder_before", "escalate_after"):
            value = getattr(self, name)
            if value is not None and value <= _ZERO:
                raise ValueError(f"{name} must be a positive duration, got {value}")
        weekday = self.weekly_digest_weekday
        if weekday is not None and not 0 <= weekday <= 6:
            raise ValueError(f"weekly_digest_weekday is 0 (Monday) … 6 (Sunday), got {weekday}")
        if self.digest_catch_up <= _ZERO:
            raise ValueError("digest_catch_up must be a positive duration")


@dataclass(frozen=True, slots=True)
class LadderStep:
    stage: AlertStage
    at: datetime  # UTC


def ladder(deadline: Deadline, calendar: Calendar, policy: AlertPolicy) -> tuple[LadderStep, ...]:
    """The deadline's steps in firing order, strictly increasing in time.

    A reminder that does not fit strictly between the start and the deadline (a short
    deadline), or that would come at or after the next reminder, is left out.
    """
    due = deadline.due_at.astimezone(UTC)
    started = deadline.started_at.astimezone(UTC)
    reminders: list[LadderStep] = []
    if policy.reminder_share is not None:
        total = calendar.elapsed(started, due) if due > started else _ZERO
        if total > _ZERO:
            at = calendar.add(started, total * policy.reminder_share).astimezone(UTC)
            reminders.append(LadderStep(AlertStage.HALF, at))
    if policy.final_reminder_before is not None:
        at = calendar.subtract(due, policy.final_reminder_before).astimezone(UTC)
        reminders.append(LadderStep(AlertStage.FINAL, at))
    inside = [step for step in reminders if started < step.at < due]
    steps = [
        step
        for index, step in enumerate(inside)
        if index + 1 == len(inside) or step.at < inside[index + 1].at
    ]
    steps.append(LadderStep(AlertStage.OVERDUE, due))
    if policy.escalate_after is not None:
        at = calendar.add(due, policy.escalate_after).astimezone(UTC)
        if at > due:
            steps.append(LadderStep(AlertStage.ESCALATED, at))
    return tuple(steps)


def next_step(
    deadline: Deadline, calendar: Calendar, policy: AlertPolicy, reached: int
) -> LadderStep | None:
    """The first step after the stage reached; None when the ladder is done."""
    return next((s for s in ladder(deadline, calendar, policy) if s.stage > reached), None)


@dataclass(frozen=True, slots=True)
class AlertDecision:
    """What to do with a deadline now.

    `fire`: the step to send now (None: nothing is due yet); `skipped`: earlier steps
    collapsed into it; `reached` and `next_at` are the new `alert_stage` / `next_alert_at`
    (None: the ladder is done).
    """

    fire: LadderStep | None
    skipped: tuple[LadderStep, ...]
    reached: AlertStage
    next_at: datetime | None


def decide(
    deadline: Deadline, calendar: Calendar, policy: AlertPolicy, reached: int, now: datetime
) -> AlertDecision:
    steps = [s for s in ladder(deadline, calendar, policy) if s.stage > reached]
    passed = [s for s in steps if s.at <= now]
    ahead = [s for s in steps if s.at > now]
    fire = passed[-1] if passed else None
    return AlertDecision(
        fire=fire,
        skipped=tuple(passed[:-1]),
        reached=fire.stage if fire is not None else AlertStage(reached),
        next_at=ahead[0].at if ahead else None,
    )


def set_up(
    deadline: Deadline, calendar: Calendar, policy: AlertPolicy, reached: int, now: datetime
) -> AlertDecision | None:
    """A ladder set up without firing anything: the decision when nothing is due yet, None
    when a step is due at once (the scanner's tick fires it)."""
    decision = decide(deadline, calendar, policy, reached, now)
    return decision if decision.fire is None else None


# --- who hears about it -----------------------------------------------------------------------


def _unique(addressees: Iterable[Addressee]) -> tuple[Addressee, ...]:
    return tuple(dict.fromkeys(addressees))


def acting_addressees(incident: Incident, deadline: Deadline) -> tuple[Addressee, ...]:
    """Whoever must act on the deadline.

    The centre's clocks: the curators. An organisation's: the executor holding its
    assignment, or the organisation (its group chat or executors) while nobody holds it.
    The answer clock: the holders or organisations of the live assignments, and the curators.
    """
    if deadline.party is Party.CENTRE:
        return (Addressee.curators(),)
    if deadline.party is Party.ORGANISATION and deadline.org_code is not None:
        holder = next(
            (a.holder_id for a in incident.assignments if a.org_code == deadline.org_code),
            None,
        )
        if holder is not None:
            return (Addressee.person(holder),)
        return (Addressee.organisation(deadline.org_code),)
    addressees = [
        Addressee.person(a.holder_id)
        if a.holder_id is not None
        else Addressee.organisation(a.org_code)
        for a in live_assignments(incident)
    ]
    return _unique([*addressees, Addressee.curators()])


def _concerned_orgs(incident: Incident, deadline: Deadline) -> tuple[str, ...]:
    """Organisations whose responsible official answers for the deadline (п.8)."""
    if deadline.party is Party.ORGANISATION and deadline.org_code is not None:
        return (deadline.org_code,)
    if deadline.party is Party.EVERYONE:
        return tuple(dict.fromkeys(a.org_code for a in live_assignments(incident)))
    return ()  # the centre's own clocks: the organisations are not late


def audience(incident: Incident, deadline: Deadline, stage: AlertStage) -> tuple[Addressee, ...]:
    """Who gets the alert of one step."""
    if stage in (AlertStage.HALF, AlertStage.FINAL):
        return acting_addressees(incident, deadline)
    if stage is AlertStage.OVERDUE:
        return _unique(
            [
                *acting_addressees(incident, deadline),
                *(
                    Addressee.organisation(code, Role.RESPONSIBLE)
                    for code in _concerned_orgs(incident, deadline)
                ),
                Addressee.curators(),
            ]
        )
    if stage is AlertStage.ESCALATED:
        return (Addressee(AddresseeKind.ROLE, role=Role.MANAGER),)
    return ()


def working_minutes(duration: timedelta) -> int:
    return int(duration.total_seconds() // 60)


def alert_messages(
    incident: Incident,
    position: int,
    calendar: Calendar,
    decision: AlertDecision,
    now: datetime,
    *,
    late_steps: Sequence[JSONDict] = (),
) -> tuple[Message, ...]:
    """The messages of the step to fire, one per addressee, all with the same key and params.

    A collapsed ladder sends the latest step's message to everyone the skipped steps would
    have reached as well (reminders reach a subset of the overdue audience).
    """
    fire = decision.fire
    if fire is None:
        return ()
    deadline = incident.deadlines[position]
    due = deadline.due_at.astimezone(UTC)
    params: JSONDict = {
        "incident_id": incident.id,
        "deadline": position,
        "kind": deadline.kind.value,
        "party": deadline.party.value,
        "org_code": deadline.org_code,
        "draft_id": deadline.draft_id,
        "due_at": due.isoformat(),
        "stage": fire.stage.label,
        "importance": incident.importance.value,
        "caught_up": bool(decision.skipped),
    }
    if fire.stage in (AlertStage.HALF, AlertStage.FINAL):
        params["left_minutes"] = working_minutes(calendar.elapsed(now, due) if now < due else _ZERO)
    else:
        params["overdue_minutes"] = working_minutes(
            calendar.elapsed(due, now) if now > due else _ZERO
        )
    if late_steps and fire.stage >= AlertStage.OVERDUE:
        # The answer clock: which steps overran, whose, by how much (workflow/fairness.py).
        params["late_steps"] = [dict(step) for step in late_steps]
    addressees: list[Addressee] = []
    for step in (*decision.skipped, fire):
        addressees.extend(audience(incident, deadline, step.stage))
    return tuple(
        Message(to, fire.stage.key, dict(params), incident_id=incident.id)
        for to in _unique(addressees)
    )


# --- quiet hours and the card -----------------------------------------------------------------


def quiet_until(
    calendar: AlertCalendar, now: datetime, importance: Importance, policy: AlertPolicy
) -> datetime:
    """When an alert may reach a reader of this calendar: at once in working time, for a
    high-importance incident (п.17) or with quiet hours off; else at the next opening.

    A 24/7 calendar is always in working time, so it never holds anything back.
    """
    if not policy.quiet_hours or importance is Importance.HIGH:
        return now
    return calendar.next_working_moment(now).astimezone(UTC)


def overdue_deadlines(incident: Incident, now: datetime) -> tuple[Deadline, ...]:
    """The running deadlines whose moment has passed, most overdue first (for the card)."""
    late = [d for d in incident.deadlines if d.running and d.due_at < now]
    return tuple(sorted(late, key=lambda d: d.due_at))
