"""What a command is given (the actor) and what it returns (the outcome).

Events and messages are plain frozen values whose payloads are JSON-serialisable, so the
service can write the incident, its deadlines, its events and its outbox rows in one
transaction without knowing any command.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from workflow.model import Deadline, DeadlineState, Incident
from workflow.roles import CURATOR_ROLES, Role

JSONDict = dict[str, Any]  # values: str, int, float, bool, None, lists and dicts of those


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs a command, as the directory saw them at that moment."""

    person_id: int
    roles: frozenset[Role] = frozenset()
    org_code: str | None = None
    stands_in_for: frozenset[int] = frozenset()  # п.8: people this actor replaces now

    @property
    def is_curator(self) -> bool:
        return bool(self.roles & CURATOR_ROLES)

    def is_executor_of(self, org_code: str) -> bool:
        return Role.EXECUTOR in self.roles and self.org_code == org_code

    def acts_for(self, person_id: int) -> bool:
        """The person themselves or their stand-in (п.8)."""
        return self.person_id == person_id or person_id in self.stands_in_for

    def to_json(self) -> JSONDict:
        return {
            "person_id": self.person_id,
            "roles": sorted(role.value for role in self.roles),
            "org_code": self.org_code,
            "stands_in_for": sorted(self.stands_in_for),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Actor:
        return cls(
            person_id=int(data["person_id"]),
            roles=frozenset(Role(role) for role in data.get("roles", ())),
            org_code=data.get("org_code"),
            stands_in_for=frozenset(int(person) for person in data.get("stands_in_for", ())),
        )


class AddresseeKind(StrEnum):
    ROLE = "role"  # everyone holding a role, e.g. the centre's curators and deputies
    ORGANISATION = "organisation"  # an organisation's executors / group chat (or one role there)
    PERSON = "person"  # one person; the directory applies stand-ins (п.8)


@dataclass(frozen=True, slots=True)
class Addressee:
    kind: AddresseeKind
    role: Role | None = None
    org_code: str | None = None
    person_id: int | None = None

    @classmethod
    def curators(cls) -> Addressee:
        return cls(AddresseeKind.ROLE, role=Role.CURATOR)

    @classmethod
    def organisation(cls, org_code: str, role: Role | None = None) -> Addressee:
        return cls(AddresseeKind.ORGANISATION, role=role, org_code=org_code)

    @classmethod
    def person(cls, person_id: int) -> Addressee:
        return cls(AddresseeKind.PERSON, person_id=person_id)

    def to_json(self) -> JSONDict:
        return {
            "kind": self.kind.value,
            "role": self.role.value if self.role else None,
            "org_code": self.org_code,
            "person_id": self.person_id,
        }


@dataclass(frozen=True, slots=True)
class Message:
    """A notification to send: a message key and its parameters, never finished text."""

    to: Addressee
    key: str  # dotted, e.g. "incident.routed"
    params: JSONDict = field(default_factory=dict)
    incident_id: int | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One applied command, enough to apply it again (workflow/replay.py).

    `seq` is the incident's version after the command; `args` are the command's arguments
    and `facts` what it found (late flags, the new draft's id, ...), both JSON.
    """

    incident_id: int
    seq: int
    at: datetime
    command: str
    args: JSONDict
    actor: Actor | None  # None: the monitoring software
    facts: JSONDict = field(default_factory=dict)

    @property
    def actor_id(self) -> int | None:
        return self.actor.person_id if self.actor else None

    def payload(self) -> JSONDict:
        """The JSON stored with the event row (kind = command)."""
        return {
            "args": self.args,
            "facts": self.facts,
            "actor": self.actor.to_json() if self.actor else None,
        }

    @classmethod
    def from_payload(
        cls, incident_id: int, seq: int, at: datetime, command: str, payload: Mapping[str, Any]
    ) -> Event:
        actor = payload.get("actor")
        return cls(
            incident_id=incident_id,
            seq=seq,
            at=at.astimezone(UTC),
            command=command,
            args=dict(payload.get("args", {})),
            actor=Actor.from_json(actor) if actor else None,
            facts=dict(payload.get("facts", {})),
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of an applied command. Deadline changes are derived by diffing."""

    incident: Incident
    events: tuple[Event, ...]
    messages: tuple[Message, ...]
    previous: Incident | None = None  # None for detection

    @property
    def started_deadlines(self) -> tuple[Deadline, ...]:
        """Deadlines appended by this command that are running (positions past the old end)."""
        known = len(self.previous.deadlines) if self.previous else 0
        return tuple(d for d in self.incident.deadlines[known:] if d.running)

    @property
    def stopped_deadlines(self) -> tuple[Deadline, ...]:
        """Deadlines that ran before and do not any more, with their final values."""
        if self.previous is None:
            return ()
        old = self.previous.deadlines
        return tuple(
            new
            for before, new in zip(old, self.incident.deadlines, strict=False)
            if before.running and not new.running
        )

    @property
    def changed_deadlines(self) -> tuple[tuple[int, Deadline], ...]:
        """Every deadline that is new or differs from before, with its position (identity)."""
        old = self.previous.deadlines if self.previous else ()
        return tuple(
            (index, deadline)
            for index, deadline in enumerate(self.incident.deadlines)
            if index >= len(old) or old[index] != deadline
        )

    def deadlines_ended_as(self, state: DeadlineState) -> tuple[Deadline, ...]:
        return tuple(d for d in self.stopped_deadlines if d.state is state)
