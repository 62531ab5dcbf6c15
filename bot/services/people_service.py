"""The directory as handlers use it, without a session: who is this user, bind a group,
invitations, absences (п.8). Each call is one unit of work.

A bridge over `bot/services/people.py` and the directory repository until the directory
service takes these over.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import people
from bot.services.people import DirectoryChangeRefused
from db.directory_queries import PersonView
from db.uow import UnitOfWork
from workflow.roles import Role

__all__ = ["DirectoryChangeRefused", "PeopleService", "PersonView"]


class PeopleService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    def _unit(self) -> UnitOfWork:
        return UnitOfWork(self._sessions)

    async def identify(self, telegram_id: int, username: str | None) -> PersonView | None:
        """The active person behind a Telegram user (binds the id of one known by @name)."""
        async with self._unit() as uow:
            return await uow.directory.person_for_telegram_user(telegram_id, username)

    async def person(self, person_id: int) -> PersonView | None:
        async with self._unit() as uow:
            return await uow.directory.person_by_id(person_id)

    async def person_by_key(self, key: str) -> PersonView | None:
        async with self._unit() as uow:
            found = await people.person_by_key(uow.session, key)
            return await uow.directory.person_by_id(found.id) if found else None

    async def people_with_roles(self, roles: Iterable[Role]) -> list[PersonView]:
        async with self._unit() as uow:
            return await uow.directory.people_with_roles(roles)

    async def bind_chat(self, chat_id: int, title: str | None, org_code: str) -> str:
        """Bind a group to an organisation; returns the organisation's name."""
        async with self._unit() as uow:
            return await people.bind_chat(uow.session, chat_id, title, org_code)

    async def create_invitation(self, key: str, now: datetime) -> str:
        async with self._unit() as uow:
            return await people.create_invitation(uow.session, key, now)

    async def accept_invitation(self, code: str, telegram_id: int, now: datetime) -> PersonView:
        async with self._unit() as uow:
            registered = await people.accept_invitation(uow.session, code, telegram_id, now)
            person = await uow.directory.person_by_id(registered.person_id)
        assert person is not None  # just registered, in the same transaction
        return person

    async def set_away(
        self, person_id: int, starts_at: datetime, ends_at: datetime, now: datetime
    ) -> None:
        async with self._unit() as uow:
            await people.set_away(uow.session, person_id, starts_at, ends_at, now)

    async def set_back(self, person_id: int, now: datetime) -> int:
        async with self._unit() as uow:
            return await people.set_back(uow.session, person_id, now)
