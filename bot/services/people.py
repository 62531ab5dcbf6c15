"""Directory changes made from Telegram, for callers still holding a session.

Transition only: handlers move to DirectoryService (bot/services/directory.py), which owns
its unit of work; this module goes when the last caller has moved.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import directory as changes
from bot.services.directory import DirectoryChangeRefused, Registered
from db.directory_snapshot import PersonView
from db.uow import UnitOfWork

__all__ = [
    "DirectoryChangeRefused",
    "Registered",
    "accept_invitation",
    "bind_chat",
    "create_invitation",
    "person_by_key",
    "set_away",
    "set_back",
]


def _directory(session: AsyncSession) -> changes.DirectoryRepository:
    return UnitOfWork.joining(session).directory


async def bind_chat(session: AsyncSession, chat_id: int, title: str | None, org_code: str) -> str:
    return await changes.bind_chat(_directory(session), chat_id, title, org_code)


async def person_by_key(session: AsyncSession, key: str) -> PersonView | None:
    return await _directory(session).person_by_key(key)


async def create_invitation(session: AsyncSession, key: str, now: datetime) -> str:
    return await changes.create_invitation(_directory(session), key, now)


async def accept_invitation(
    session: AsyncSession, code: str, telegram_id: int, now: datetime
) -> Registered:
    return await changes.accept_invitation(_directory(session), code, telegram_id, now)


async def set_away(
    session: AsyncSession, person_id: int, starts_at: datetime, ends_at: datetime, now: datetime
) -> None:
    await changes.set_away(_directory(session), person_id, starts_at, ends_at, now)


async def set_back(session: AsyncSession, person_id: int, now: datetime) -> int:
    return await _directory(session).end_absences(person_id, now)
