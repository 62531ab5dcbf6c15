"""The directory (organisations, people, chats, stand-ins, absences): the only SQL about it.

Reads go through the cached snapshot (db/directory_cache.py): `await repo.snapshot()` gives
the whole directory in memory, and the lookups below are answered from it. Every write here
bumps the cache's version at once and again when its transaction ends, committed or rolled
back, so that no reader keeps a picture older than the last commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db import directory_queries as queries
from db import directory_sync
from db.directory_cache import session_cache
from db.directory_changes import directory_written
from db.directory_records import DirectoryRecords, SyncReport
from db.directory_snapshot import DirectorySnapshot, OrganisationView, PersonView
from workflow.roles import Role


class DirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._cache = session_cache(session)

    # --- reads (from the snapshot) ----------------------------------------------------------

    async def snapshot(self) -> DirectorySnapshot:
        return await self._cache.snapshot(self._session)

    async def person_by_id(self, person_id: int) -> PersonView | None:
        return (await self.snapshot()).person(person_id)

    async def person_by_key(self, key: str) -> PersonView | None:
        return (await self.snapshot()).person_by_key(key)

    async def person_for_telegram_user(
        self, telegram_id: int, username: str | None
    ) -> PersonView | None:
        """The active person behind a Telegram user.

        People listed in the directory by @username only get their numeric id bound on first
        contact, so that a later change of username does not lock them out.
        """
        snapshot = await self.snapshot()
        person = snapshot.person_by_telegram_id(telegram_id)
        if person is None and username:
            unbound = snapshot.unbound_person_by_username(username)
            if unbound is not None and await queries.bind_telegram_id(
                self._session, unbound.id, telegram_id
            ):
                self._changed()
                person = (await self.snapshot()).person(unbound.id)
        if person is None or not person.active:
            return None
        return person

    async def stands_in_for(self, person_id: int, at: datetime) -> frozenset[int]:
        return (await self.snapshot()).stands_in_for(person_id, at)

    async def acting_substitutes(
        self, person_ids: Iterable[int], at: datetime
    ) -> dict[int, list[int]]:
        return (await self.snapshot()).acting_substitutes(person_ids, at)

    async def people_with_roles(
        self, roles: Iterable[Role], org_code: str | None = None
    ) -> list[PersonView]:
        return (await self.snapshot()).people_with_roles(roles, org_code)

    async def organisation_chats(self, org_code: str) -> list[int]:
        return (await self.snapshot()).organisation_chats(org_code)

    async def centre_chats(self) -> list[int]:
        return (await self.snapshot()).centre_chats()

    async def organisation_by_chat(self, chat_id: int) -> OrganisationView | None:
        return (await self.snapshot()).organisation_by_chat(chat_id)

    async def organisations(self) -> list[OrganisationView]:
        return list((await self.snapshot()).organisations)

    # --- reads inside a writer's transaction (never cached) ---------------------------------

    async def organisation_id(self, code: str) -> int | None:
        return await queries.organisation_id(self._session, code)

    async def open_invitation(self, code: str) -> tuple[int, int] | None:
        return await queries.open_invitation(self._session, code)

    async def holder_of(self, telegram_id: int) -> tuple[int, str] | None:
        return await queries.holder_of(self._session, telegram_id)

    async def person_state(self, person_id: int) -> tuple[str, bool] | None:
        return await queries.person_state(self._session, person_id)

    async def records(self) -> DirectoryRecords:
        """The directory as plain records, for the export."""
        return await directory_sync.read_records(self._session)

    # --- writes -----------------------------------------------------------------------------

    async def bind_chat(self, chat_id: int, title: str | None, organisation_id: int) -> None:
        await queries.bind_chat(self._session, chat_id, title, organisation_id)
        self._changed()

    async def add_invitation(self, code: str, person_id: int, now: datetime) -> None:
        await queries.add_invitation(self._session, code, person_id, now)

    async def use_invitation(
        self, invitation_id: int, person_id: int, telegram_id: int, now: datetime
    ) -> None:
        await queries.use_invitation(self._session, invitation_id, person_id, telegram_id, now)
        self._changed()

    async def add_absence(
        self, person_id: int, starts_at: datetime, ends_at: datetime | None, now: datetime
    ) -> None:
        await queries.add_absence(self._session, person_id, starts_at, ends_at, now)
        self._changed()

    async def end_absences(self, person_id: int, now: datetime) -> int:
        changed = await queries.end_absences(self._session, person_id, now)
        self._changed()
        return changed

    async def sync(self, records: DirectoryRecords) -> SyncReport:
        """Make the directory tables match `records` (an import); flushes, never commits."""
        report = await directory_sync.sync_records(self._session, records)
        self._changed()
        return report

    def _changed(self) -> None:
        """Bump now (this transaction's own reads) and when the transaction ends (everyone)."""
        directory_written(self._session)
