"""What a committed step means for the bot's timers and workers.

A step that starts a deadline sets its reminder ladder up in its own transaction (the same
`workflow.alerts.set_up` the scanner uses), so that no separate transaction has to follow
each press; only a deadline with a reminder due at once is left to the scanner. After the
commit the service tells the application (`on_step`): whether the scanner must look now,
the earliest reminder set up (the scheduler wakes no later), and whether a publication job
was written (the publication worker looks at once).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from workflow.alerts import AlertDecision, AlertPolicy, set_up
from workflow.calendars import Calendars
from workflow.effects import Outcome


@dataclass(frozen=True, slots=True)
class StepNews:
    unsettled: bool = False  # a new deadline the scanner must set up or fire now
    next_alert_at: datetime | None = None  # the earliest reminder of the ladders set up
    publication: bool = False  # a publication job was written


@dataclass(slots=True)
class Ladders:
    """The ladders of one outcome's new deadlines, by position in the incident's list."""

    decisions: dict[int, AlertDecision] = field(default_factory=dict)
    unsettled: bool = False

    def news(self, *, publication: bool) -> StepNews:
        moments = [d.next_at for d in self.decisions.values() if d.next_at is not None]
        return StepNews(self.unsettled, min(moments, default=None), publication)


def plan_ladders(
    outcome: Outcome, calendars: Calendars, policy: AlertPolicy | None, now: datetime
) -> Ladders:
    """Set up the ladders of the deadlines this outcome starts (none without a policy:
    the scanner then sets every one up)."""
    known = len(outcome.previous.deadlines) if outcome.previous is not None else 0
    ladders = Ladders()
    for position, deadline in enumerate(outcome.incident.deadlines[known:], start=known):
        if not deadline.running:
            continue
        decision = None
        if policy is not None:
            try:
                decision = set_up(deadline, calendars.for_deadline(deadline), policy, 0, now)
            except Exception:  # the scanner logs what cannot be worked out
                decision = None
        if decision is None:
            ladders.unsettled = True
        else:
            ladders.decisions[position] = decision
    return ladders


def step_listener(
    poke: Callable[[], None],
    expect: Callable[[datetime], None],
    wake_publication: Callable[[], None],
) -> Callable[[StepNews], None]:
    """The application's `on_step`: the scanner now only for a ladder left to it, else the
    scheduler woken by the earliest reminder; the publication worker for a new job."""

    def stepped(news: StepNews) -> None:
        if news.unsettled:
            poke()
        elif news.next_alert_at is not None:
            expect(news.next_alert_at)
        if news.publication:
            wake_publication()

    return stepped
