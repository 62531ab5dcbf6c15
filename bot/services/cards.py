"""Which chats show an incident's card, and the outbox rows that refresh them.

Every change of an incident refreshes its card in each chat that sees it (one message per
chat, edited in place by the sender). The card's audience rides along in the row's params,
so the renderer knows which buttons that chat gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db import directory_queries as directory
from db.models import OutboxRow
from workflow.model import Incident
from workflow.roles import CURATOR_ROLES, Role

CENTRE = "centre"
ORGANISATION = "org"
VIEWER = "viewer"  # read-only: no workflow buttons


@dataclass(frozen=True, slots=True)
class CardChat:
    chat_id: int
    audience: str  # CENTRE or ORGANISATION
    org_code: str | None
    locale: str | None


async def card_chats(session: AsyncSession, incident: Incident) -> list[CardChat]:
    chats: list[CardChat] = []
    centre = await directory.centre_chats(session)
    if centre:
        chats += [CardChat(chat_id, CENTRE, None, None) for chat_id in centre]
    else:
        for person in await directory.people_with_roles(session, CURATOR_ROLES):
            if person.telegram_id is not None:
                chats.append(CardChat(person.telegram_id, CENTRE, None, person.locale))
    for code in dict.fromkeys(a.org_code for a in incident.assignments):
        group_chats = await directory.organisation_chats(session, code)
        if group_chats:
            chats += [CardChat(chat_id, ORGANISATION, code, None) for chat_id in group_chats]
            continue
        for person in await directory.people_with_roles(session, [Role.EXECUTOR], code):
            if person.telegram_id is not None:
                chats.append(CardChat(person.telegram_id, ORGANISATION, code, person.locale))
    unique: dict[int, CardChat] = {}
    for chat in chats:
        unique.setdefault(chat.chat_id, chat)  # a curator who is also an executor: centre view
    return list(unique.values())


async def enqueue_card_refresh(
    session: AsyncSession, incident: Incident, now: datetime, default_locale: str
) -> None:
    for chat in await card_chats(session, incident):
        await enqueue_card(session, chat, incident.id, now, default_locale)


async def enqueue_card(
    session: AsyncSession, chat: CardChat, incident_id: int, now: datetime, default_locale: str
) -> None:
    session.add(
        OutboxRow(
            chat_id=chat.chat_id,
            kind="card",
            incident_id=incident_id,
            key="card",
            params={"audience": chat.audience, "org_code": chat.org_code},
            locale=chat.locale or default_locale,
            state="pending",
            not_before=now,
            attempts=0,
            created_at=now,
        )
    )
    await session.flush()
