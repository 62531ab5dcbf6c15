"""The workflow driven by hand: a centre in Moscow, organisations in Moscow and Novosibirsk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from workflow.calendars import Calendars
from workflow.commands import Command, detect, registry
from workflow.effects import Actor, Event, Outcome
from workflow.errors import CommandRefused, RefusalCode
from workflow.model import (
    Deadline,
    DeadlineKind,
    DeadlineState,
    Importance,
    Incident,
    Post,
    Source,
)
from workflow.policy import Policy
from workflow.roles import Role

MSK = ZoneInfo("Europe/Moscow")
NSK = ZoneInfo("Asia/Novosibirsk")

CURATOR = Actor(1, frozenset({Role.CURATOR}))
DEPUTY = Actor(2, frozenset({Role.DEPUTY_CURATOR}))
ROADS = Actor(10, frozenset({Role.EXECUTOR}), "roads")  # Novosibirsk office
ROADS_2 = Actor(11, frozenset({Role.EXECUTOR}), "roads")
ROADS_STAND_IN = Actor(12, frozenset({Role.EXECUTOR}), "roads", frozenset({10}))
PARKS = Actor(20, frozenset({Role.EXECUTOR}), "parks")  # on the centre's calendar
WATER = Actor(30, frozenset({Role.EXECUTOR}), "water")  # Novosibirsk office
STRANGER = Actor(99)

Step = Callable[..., Outcome] | Command  # a step's function with keyword arguments, or a command

POST = Post(Source.VK, "https://vk.com/wall-1_100", "Во дворе на ул. Ленина яма, когда заделают?")
ANSWER_TEXT = "Здравствуйте! Яму заделают до конца недели."


def msk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=MSK)  # type: ignore[misc]


def nsk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NSK)  # type: ignore[misc]


def russian_calendars() -> Calendars:
    from workflow.calendar import WorkingCalendar

    centre = WorkingCalendar.russian("Europe/Moscow")
    novosibirsk = WorkingCalendar.russian("Asia/Novosibirsk")
    return Calendars(
        centre=centre,
        organisations={"roads": novosibirsk, "water": novosibirsk},
        known_orgs=frozenset({"roads", "parks", "water"}),
    )


@pytest.fixture(scope="session")
def calendars() -> Calendars:
    return russian_calendars()


class Flow:
    """One incident moved through commands, with the clock moved by hand."""

    def __init__(
        self,
        calendars: Calendars,
        detected_at: datetime,
        importance: Importance = Importance.NORMAL,
        policy: Policy | None = None,
    ) -> None:
        self.calendars = calendars
        self.policy = policy or Policy()
        self.now = detected_at.astimezone(UTC)
        outcome = detect(POST, detected_at, importance, 1, self.policy, calendars)
        self.incident: Incident = outcome.incident
        self.events: list[Event] = list(outcome.events)
        self.last: Outcome = outcome

    def at(self, moment: datetime) -> Flow:
        self.now = moment.astimezone(UTC)
        return self

    def after(self, **delta: float) -> Flow:
        self.now += timedelta(**delta)
        return self

    def run(self, command: Step, actor: Actor, args: dict[str, Any]) -> Outcome:
        """A command object through the registry, or a step's plain function."""
        if callable(command):
            return command(self.incident, actor, self.now, self.policy, self.calendars, **args)
        assert not args, "a command object carries its own arguments"
        return registry.apply(command, self.incident, actor, self.now, self.policy, self.calendars)

    def do(self, command: Step, actor: Actor, **args: Any) -> Outcome:
        outcome = self.run(command, actor, args)
        assert outcome.incident.version == self.incident.version + 1
        self.incident = outcome.incident
        self.events.extend(outcome.events)
        self.last = outcome
        return outcome

    def refused(
        self, command: Step, actor: Actor, code: RefusalCode, **args: Any
    ) -> CommandRefused:
        before = self.incident
        with pytest.raises(CommandRefused) as caught:
            self.run(command, actor, args)
        assert caught.value.code is code, caught.value
        assert self.incident is before
        return caught.value

    def deadlines(
        self,
        kind: DeadlineKind,
        org_code: str | None = None,
        state: DeadlineState | None = DeadlineState.RUNNING,
    ) -> list[Deadline]:
        return [
            d
            for d in self.incident.deadlines
            if d.kind is kind
            and (org_code is None or d.org_code == org_code)
            and (state is None or d.state is state)
        ]

    def deadline(
        self,
        kind: DeadlineKind,
        org_code: str | None = None,
        state: DeadlineState | None = DeadlineState.RUNNING,
    ) -> Deadline:
        found = self.deadlines(kind, org_code, state)
        assert len(found) == 1, (kind, org_code, state, found)
        return found[0]

    def draft_id(self) -> int:
        return int(self.last.events[0].facts["draft_id"])


@pytest.fixture
def flow_at(calendars: Calendars) -> Callable[..., Flow]:
    def make(detected_at: datetime, **kwargs: Any) -> Flow:
        return Flow(calendars, detected_at, **kwargs)

    return make
