"""Directory changes made from Telegram: group binding, invitations, absences (п.8)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Absence, GroupChat, Invitation, Organisation, Person


class DirectoryChangeRefused(Exception):
    """Why a change cannot be made: `code` is a message key suffix."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.code = reason
        self.params = params


async def bind_chat(session: AsyncSession, chat_id: int, title: str | None, org_code: str) -> str:
    """Bind a group to an organisation (re-binding moves it); returns the organisation's name."""
    org = (
        await session.execute(select(Organisation).where(Organisation.code == org_code))
    ).scalar()
    if org is None:
        raise DirectoryChangeRefused("unknown_organisation", code=org_code)
    chat = (await session.execute(select(GroupChat).where(GroupChat.chat_id == chat_id))).scalar()
    if chat is None:
        session.add(GroupChat(chat_id=chat_id, title=title, organisation_id=org.id))
    else:
        chat.organisation_id = org.id
        chat.title = title
    await session.flush()
    return org.name


async def person_by_key(session: AsyncSession, key: str) -> Person | None:
    return (await session.execute(select(Person).where(Person.key == key))).scalar()


async def create_invitation(session: AsyncSession, key: str, now: datetime) -> str:
    person = await person_by_key(session, key)
    if person is None or not person.active:
        raise DirectoryChangeRefused("unknown_person", key=key)
    code = secrets.token_urlsafe(16)  # 22 characters: fits /start's 64-character limit
    session.add(Invitation(code=code, person_id=person.id, created_at=now))
    await session.flush()
    return code


@dataclass(frozen=True, slots=True)
class Registered:
    person_id: int
    full_name: str


async def accept_invitation(
    session: AsyncSession, code: str, telegram_id: int, now: datetime
) -> Registered:
    invitation = (await session.execute(select(Invitation).where(Invitation.code == code))).scalar()
    if invitation is None or invitation.used_at is not None:
        raise DirectoryChangeRefused("invitation_invalid")
    person = await session.get(Person, invitation.person_id)
    if person is None or not person.active:
        raise DirectoryChangeRefused("invitation_invalid")
    holder = (
        await session.execute(select(Person).where(Person.telegram_id == telegram_id))
    ).scalar()
    if holder is not None and holder.id != person.id:
        raise DirectoryChangeRefused("telegram_taken", name=holder.full_name)
    person.telegram_id = telegram_id
    invitation.used_at = now
    await session.flush()
    return Registered(person.id, person.full_name)


async def set_away(
    session: AsyncSession, person_id: int, starts_at: datetime, ends_at: datetime, now: datetime
) -> None:
    if ends_at <= starts_at:
        raise DirectoryChangeRefused("away_order")
    session.add(Absence(person_id=person_id, starts_at=starts_at, ends_at=ends_at, created_at=now))
    await session.flush()


async def set_back(session: AsyncSession, person_id: int, now: datetime) -> int:
    """End every current and future absence of the person now; returns how many changed."""
    result = await session.execute(
        update(Absence)
        .where(
            Absence.person_id == person_id,
            (Absence.ends_at.is_(None)) | (Absence.ends_at > now),
        )
        .values(ends_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    return int(result.rowcount or 0)
