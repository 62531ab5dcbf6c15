"""The one recipient resolver: addressees (roles, organisations, people) to chats.

The core addresses people, never chats (ARCHITECTURE.md); here the directory decides where
each message and each card lands, and applies stand-ins (п.8): whoever acts for an absent
person gets what that person would have got.

Everything here reads the directory snapshot in memory (db/directory_cache.py): resolving a
message or a card's audience costs no SQL once the snapshot is loaded. `resolve` and
`card_chats` take the unit of work's repository (`uow.directory`) or a snapshot in hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from db.directory_repository import DirectoryRepository
from db.directory_snapshot import DirectorySnapshot, PersonView
from workflow.effects import Addressee, AddresseeKind
from workflow.model import Incident
from workflow.roles import CURATOR_ROLES, Role


class Audience(StrEnum):
    """Which buttons a card shows in a chat."""

    CENTRE = "centre"  # the curator's view
    ORGANISATION = "org"  # an executor organisation's view
    VIEWER = "viewer"  # read-only: no workflow buttons


@dataclass(frozen=True, slots=True)
class Recipient:
    chat_id: int
    locale: str | None  # None: the bot's default


@dataclass(frozen=True, slots=True)
class CardChat:
    chat_id: int
    audience: Audience
    org_code: str | None
    locale: str | None


def _private(people: list[PersonView]) -> list[Recipient]:
    return [Recipient(p.telegram_id, p.locale) for p in people if p.telegram_id is not None]


_Chat = TypeVar("_Chat", Recipient, CardChat)


def _unique(items: list[_Chat]) -> list[_Chat]:
    seen: dict[int, _Chat] = {}
    for item in items:
        seen.setdefault(item.chat_id, item)  # the first addressee wins (a curator's view)
    return list(seen.values())


Directory = DirectoryRepository | DirectorySnapshot


async def _snapshot(directory: Directory) -> DirectorySnapshot:
    if isinstance(directory, DirectorySnapshot):
        return directory
    return await directory.snapshot()


def _with_substitutes(
    directory: DirectorySnapshot, people: list[PersonView], at: datetime
) -> list[PersonView]:
    """Add the stand-ins of whoever is away, so that nothing waits on an empty desk (п.8)."""
    substitutes = directory.acting_substitutes([p.id for p in people], at)
    result = list(people)
    for substitute_ids in substitutes.values():
        for substitute_id in substitute_ids:
            person = directory.person(substitute_id)
            if person is not None and person.active:
                result.append(person)
    return result


def recipients(directory: DirectorySnapshot, addressee: Addressee, at: datetime) -> list[Recipient]:
    """The chats that receive a message to this addressee, without repeats."""
    found: list[Recipient] = []
    if addressee.kind is AddresseeKind.PERSON and addressee.person_id is not None:
        person = directory.person(addressee.person_id)
        people = [person] if person is not None and person.active else []
        found = _private(_with_substitutes(directory, people, at))
    elif addressee.kind is AddresseeKind.ROLE and addressee.role is not None:
        roles = CURATOR_ROLES if addressee.role in CURATOR_ROLES else {addressee.role}
        chats = directory.centre_chats() if roles == CURATOR_ROLES else []
        if chats:  # the centre works in its group: one message there, not one per curator
            found = [Recipient(chat_id, None) for chat_id in chats]
        else:
            people = directory.people_with_roles(roles)
            found = _private(_with_substitutes(directory, people, at))
    elif addressee.kind is AddresseeKind.ORGANISATION and addressee.org_code is not None:
        chats = directory.organisation_chats(addressee.org_code)
        if addressee.role is None and chats:
            found = [Recipient(chat_id, None) for chat_id in chats]
        else:
            role = addressee.role or Role.EXECUTOR
            people = directory.people_with_roles([role], addressee.org_code)
            found = _private(_with_substitutes(directory, people, at))
    return _unique(found)


def card_audience(directory: DirectorySnapshot, incident: Incident, at: datetime) -> list[CardChat]:
    """Where the incident's card is shown: the curators' and each routed organisation's
    chats, resolved like any message to them (stand-ins included)."""
    chats = [
        CardChat(r.chat_id, Audience.CENTRE, None, r.locale)
        for r in recipients(directory, Addressee.curators(), at)
    ]
    for code in dict.fromkeys(a.org_code for a in incident.assignments):
        chats += [
            CardChat(r.chat_id, Audience.ORGANISATION, code, r.locale)
            for r in recipients(directory, Addressee.organisation(code), at)
        ]
    return _unique(chats)


async def resolve(directory: Directory, addressee: Addressee, at: datetime) -> list[Recipient]:
    """`recipients` on the repository's cached snapshot (or on a snapshot already in hand)."""
    return recipients(await _snapshot(directory), addressee, at)


async def card_chats(directory: Directory, incident: Incident, at: datetime) -> list[CardChat]:
    """`card_audience` on the repository's cached snapshot (or on a snapshot in hand)."""
    return card_audience(await _snapshot(directory), incident, at)
