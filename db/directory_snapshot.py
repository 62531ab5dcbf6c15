"""The whole directory in memory: organisations, people with roles, chats, stand-ins, absences.

Loaded once (db/directory_cache.py) and asked many times: the recipient resolver, the
calendars and the actor lookup read it instead of querying per call. Absences depend on the
time asked about, so the snapshot keeps their intervals and answers "who is away at `at`"
itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflow.roles import Role


@dataclass(frozen=True, slots=True)
class PersonView:
    id: int
    full_name: str
    telegram_id: int | None
    username: str | None
    roles: frozenset[Role]
    org_code: str | None
    locale: str | None
    active: bool
    key: str = ""
    vk_id: int | None = None  # their VK account (п.10: an official's post is no incident)


@dataclass(frozen=True, slots=True)
class OrganisationView:
    """An organisation as the rest of the bot reads it (same attribute names as the row)."""

    id: int
    code: str
    name: str
    is_centre: bool
    timezone: str | None
    office_hours: str | None
    topics: tuple[str, ...]
    publish: str | None = None  # п.16: auto | press | manual; None: auto


@dataclass(frozen=True, slots=True)
class ChatView:
    chat_id: int
    title: str | None
    org_code: str


@dataclass(frozen=True, slots=True)
class AbsenceSpan:
    person_id: int
    starts_at: datetime
    ends_at: datetime | None  # None: until the person says they are back

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at and (self.ends_at is None or self.ends_at > at)


@dataclass(frozen=True)
class DirectorySnapshot:
    """An immutable picture of the directory as of `version` (db/directory_cache.py)."""

    version: int
    organisations: tuple[OrganisationView, ...]  # by code
    people: Mapping[int, PersonView]  # by id, inactive people included
    chats: tuple[ChatView, ...]  # in the order they were bound
    stand_ins: Mapping[int, tuple[int, ...]]  # person id -> substitutes, preferred first
    absences: tuple[AbsenceSpan, ...]
    # Values derived from this snapshot (the calendars, say), dropped with it.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    _by_telegram: dict[int, PersonView] = field(init=False, compare=False, repr=False)
    _by_key: dict[str, PersonView] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        people = self.people.values()
        object.__setattr__(
            self, "_by_telegram", {p.telegram_id: p for p in people if p.telegram_id}
        )
        object.__setattr__(self, "_by_key", {p.key: p for p in people})

    # --- people -----------------------------------------------------------------------------

    def person(self, person_id: int) -> PersonView | None:
        return self.people.get(person_id)

    def person_by_key(self, key: str) -> PersonView | None:
        return self._by_key.get(key)

    def person_by_telegram_id(self, telegram_id: int) -> PersonView | None:
        return self._by_telegram.get(telegram_id)

    def unbound_person_by_username(self, username: str) -> PersonView | None:
        """Someone listed by @username only, whose numeric id is bound on first contact."""
        name = username.lower().lstrip("@")
        return next(
            (p for p in self.people.values() if p.username == name and p.telegram_id is None),
            None,
        )

    def people_with_roles(
        self, roles: Iterable[Role], org_code: str | None = None
    ) -> list[PersonView]:
        wanted = frozenset(roles)
        return [
            person
            for _, person in sorted(self.people.items())
            if person.active
            and person.roles & wanted
            and (org_code is None or person.org_code == org_code)
        ]

    def admin_chats(self) -> list[int]:
        admins = self.people_with_roles([Role.ADMIN])
        return [person.telegram_id for person in admins if person.telegram_id is not None]

    # --- absences and stand-ins (п.8) -------------------------------------------------------

    def away(self, at: datetime) -> frozenset[int]:
        return frozenset(span.person_id for span in self.absences if span.covers(at))

    def stands_in_for(self, person_id: int, at: datetime) -> frozenset[int]:
        """People this person replaces at `at`: those who name them as stand-in and are away."""
        away = self.away(at)
        return frozenset(
            absent
            for absent, substitutes in self.stand_ins.items()
            if absent in away and person_id in substitutes
        )

    def acting_substitutes(self, person_ids: Iterable[int], at: datetime) -> dict[int, list[int]]:
        """For each given person who is away at `at`, their stand-ins who are not away."""
        away = self.away(at)
        result: dict[int, list[int]] = {}
        for person_id in person_ids:
            if person_id not in away:
                continue
            acting = [s for s in self.stand_ins.get(person_id, ()) if s not in away]
            if acting:
                result[person_id] = acting
        return result

    # --- organisations and chats ------------------------------------------------------------

    def organisation(self, code: str) -> OrganisationView | None:
        return next((org for org in self.organisations if org.code == code), None)

    def centre(self) -> OrganisationView | None:
        return next((org for org in self.organisations if org.is_centre), None)

    def organisation_chats(self, org_code: str) -> list[int]:
        return [chat.chat_id for chat in self.chats if chat.org_code == org_code]

    def centre_chats(self) -> list[int]:
        centre = self.centre()
        return self.organisation_chats(centre.code) if centre is not None else []

    def organisation_by_chat(self, chat_id: int) -> OrganisationView | None:
        chat = next((c for c in self.chats if c.chat_id == chat_id), None)
        return self.organisation(chat.org_code) if chat is not None else None
