"""The directory (organisations, people, chats, absences): the only SQL about it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db import directory_queries as queries
from db.directory_queries import PersonView
from db.models import Organisation
from workflow.roles import Role


class DirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def person_by_id(self, person_id: int) -> PersonView | None:
        return await queries.person_by_id(self._session, person_id)

    async def person_for_telegram_user(
        self, telegram_id: int, username: str | None
    ) -> PersonView | None:
        return await queries.person_for_telegram_user(self._session, telegram_id, username)

    async def stands_in_for(self, person_id: int, at: datetime) -> frozenset[int]:
        return await queries.stands_in_for(self._session, person_id, at)

    async def acting_substitutes(
        self, person_ids: Iterable[int], at: datetime
    ) -> dict[int, list[int]]:
        return await queries.acting_substitutes(self._session, person_ids, at)

    async def people_with_roles(
        self, roles: Iterable[Role], org_code: str | None = None
    ) -> list[PersonView]:
        return await queries.people_with_roles(self._session, roles, org_code)

    async def organisation_chats(self, org_code: str) -> list[int]:
        return await queries.organisation_chats(self._session, org_code)

    async def centre_chats(self) -> list[int]:
        return await queries.centre_chats(self._session)

    async def organisation_by_chat(self, chat_id: int) -> Organisation | None:
        return await queries.organisation_by_chat(self._session, chat_id)

    async def organisations(self) -> list[Organisation]:
        return await queries.organisations(self._session)
