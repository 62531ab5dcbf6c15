"""Who reads a workflow message: addressees (roles, organisations, people) resolved to chats.

The core addresses people, never chats (ARCHITECTURE.md); here the directory decides
where each message lands and applies stand-ins (п.8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db import directory_queries as directory
from db.directory_queries import PersonView
from workflow.effects import Addressee, AddresseeKind
from workflow.roles import CURATOR_ROLES, Role


@dataclass(frozen=True, slots=True)
class Recipient:
    chat_id: int
    locale: str | None  # None: the bot's default


def _private(people: list[PersonView]) -> list[Recipient]:
    return [Recipient(p.telegram_id, p.locale) for p in people if p.telegram_id is not None]


async def _with_substitutes(
    session: AsyncSession, people: list[PersonView], at: datetime
) -> list[PersonView]:
    """Add the stand-ins of whoever is away, so that nothing waits on an empty desk (п.8)."""
    substitutes = await directory.acting_substitutes(session, [p.id for p in people], at)
    result = list(people)
    for substitute_ids in substitutes.values():
        for substitute_id in substitute_ids:
            person = await directory.person_by_id(session, substitute_id)
            if person is not None and person.active:
                result.append(person)
    return result


async def resolve(session: AsyncSession, addressee: Addressee, at: datetime) -> list[Recipient]:
    """The chats that receive a message to this addressee, without repeats."""
    recipients: list[Recipient] = []
    if addressee.kind is AddresseeKind.PERSON and addressee.person_id is not None:
        person = await directory.person_by_id(session, addressee.person_id)
        people = [person] if person is not None and person.active else []
        recipients = _private(await _with_substitutes(session, people, at))
    elif addressee.kind is AddresseeKind.ROLE and addressee.role is not None:
        roles = CURATOR_ROLES if addressee.role in CURATOR_ROLES else {addressee.role}
        chats = await directory.centre_chats(session) if roles == CURATOR_ROLES else []
        if chats:  # the centre works in its group: one message there, not one per curator
            recipients = [Recipient(chat_id, None) for chat_id in chats]
        else:
            people = await directory.people_with_roles(session, roles)
            recipients = _private(await _with_substitutes(session, people, at))
    elif addressee.kind is AddresseeKind.ORGANISATION and addressee.org_code is not None:
        chats = await directory.organisation_chats(session, addressee.org_code)
        if addressee.role is None and chats:
            recipients = [Recipient(chat_id, None) for chat_id in chats]
        else:
            role = addressee.role or Role.EXECUTOR
            people = await directory.people_with_roles(session, [role], addressee.org_code)
            recipients = _private(await _with_substitutes(session, people, at))
    unique: dict[int, Recipient] = {}
    for recipient in recipients:
        unique.setdefault(recipient.chat_id, recipient)
    return list(unique.values())
