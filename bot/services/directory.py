"""The directory service: who is who, and the changes made from Telegram (п.8).

Handlers and the composition root call this; none of them sees a session. Reads are answered
from the cached snapshot (db/directory_cache.py); every write goes through the repository,
which tells the cache, so the next read (the resolver's, the calendars', the actor lookup's)
sees it: the directory is loaded again only after it changed, never per call.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.directory import DirectorySpec, SyncReport, export_directory, import_directory
from db.directory_repository import DirectoryRepository
from db.directory_snapshot import DirectorySnapshot, OrganisationView, PersonView
from db.uow import UnitOfWork
from workflow.roles import Role

__all__ = [
    "DirectoryChangeRefused",
    "DirectoryService",
    "DirectorySnapshot",
    "OrganisationView",
    "PersonView",
    "Registered",
]


class DirectoryChangeRefused(Exception):
    """Why a change cannot be made: `code` is a message key suffix."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.code = reason
        self.params = params


@dataclass(frozen=True, slots=True)
class Registered:
    person_id: int
    full_name: str
    person: PersonView | None = None  # as the directory now knows them


class DirectoryService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    def _unit(self) -> UnitOfWork:
        return UnitOfWork(self._sessions)

    # --- reads ------------------------------------------------------------------------------

    async def snapshot(self) -> DirectorySnapshot:
        async with self._unit() as uow:
            return await uow.directory.snapshot()

    async def identify(self, telegram_id: int, username: str | None) -> PersonView | None:
        """The active person behind a Telegram user; binds the numeric id of someone listed
        by @username only on their first contact."""
        async with self._unit() as uow:
            return await uow.directory.person_for_telegram_user(telegram_id, username)

    async def person(self, person_id: int) -> PersonView | None:
        return (await self.snapshot()).person(person_id)

    async def person_by_key(self, key: str) -> PersonView | None:
        return (await self.snapshot()).person_by_key(key)

    async def people_with_roles(
        self, roles: Iterable[Role], org_code: str | None = None
    ) -> list[PersonView]:
        return (await self.snapshot()).people_with_roles(roles, org_code)

    async def admin_chats(self) -> list[int]:
        """Private chats of the administrators (the sender's notices of failures)."""
        return (await self.snapshot()).admin_chats()

    async def organisations(self) -> list[OrganisationView]:
        return list((await self.snapshot()).organisations)

    async def organisation_by_chat(self, chat_id: int) -> OrganisationView | None:
        return (await self.snapshot()).organisation_by_chat(chat_id)

    # --- changes from Telegram --------------------------------------------------------------

    async def bind_chat(self, chat_id: int, title: str | None, org_code: str) -> str:
        """Bind a group to an organisation (re-binding moves it); returns its name."""
        async with self._unit() as uow:
            return await bind_chat(uow.directory, chat_id, title, org_code)

    async def create_invitation(self, key: str, now: datetime) -> str:
        """A one-time code for /start that registers the person with this directory key."""
        async with self._unit() as uow:
            return await create_invitation(uow.directory, key, now)

    async def accept_invitation(self, code: str, telegram_id: int, now: datetime) -> PersonView:
        """Register the Telegram user as the invited person; returns them as now known."""
        async with self._unit() as uow:
            registered = await accept_invitation(uow.directory, code, telegram_id, now)
        assert registered.person is not None  # just registered, in the same transaction
        return registered.person

    async def set_away(
        self, person_id: int, starts_at: datetime, ends_at: datetime, now: datetime
    ) -> None:
        async with self._unit() as uow:
            await set_away(uow.directory, person_id, starts_at, ends_at, now)

    async def set_back(self, person_id: int, now: datetime) -> int:
        """End every current and future absence of the person now; returns how many."""
        async with self._unit() as uow:
            return await uow.directory.end_absences(person_id, now)

    # --- the file ---------------------------------------------------------------------------

    async def import_spec(self, spec: DirectorySpec) -> SyncReport:
        return await import_directory(self._sessions, spec)

    async def export(self) -> str:
        return await export_directory(self._sessions)


# --- the changes, on the unit of work's repository ---------------------------------------


async def bind_chat(
    directory: DirectoryRepository, chat_id: int, title: str | None, org_code: str
) -> str:
    org = (await directory.snapshot()).organisation(org_code)
    organisation_id = await directory.organisation_id(org_code)
    if org is None or organisation_id is None:
        raise DirectoryChangeRefused("unknown_organisation", code=org_code)
    await directory.bind_chat(chat_id, title, organisation_id)
    return org.name


async def create_invitation(directory: DirectoryRepository, key: str, now: datetime) -> str:
    person = await directory.person_by_key(key)
    if person is None or not person.active:
        raise DirectoryChangeRefused("unknown_person", key=key)
    code = secrets.token_urlsafe(16)  # 22 characters: fits /start's 64-character limit
    await directory.add_invitation(code, person.id, now)
    return code


async def accept_invitation(
    directory: DirectoryRepository, code: str, telegram_id: int, now: datetime
) -> Registered:
    invitation = await directory.open_invitation(code)
    if invitation is None:
        raise DirectoryChangeRefused("invitation_invalid")
    invitation_id, person_id = invitation
    state = await directory.person_state(person_id)
    if state is None or not state[1]:
        raise DirectoryChangeRefused("invitation_invalid")
    holder = await directory.holder_of(telegram_id)
    if holder is not None and holder[0] != person_id:
        raise DirectoryChangeRefused("telegram_taken", name=holder[1])
    await directory.use_invitation(invitation_id, person_id, telegram_id, now)
    return Registered(person_id, state[0], await directory.person_by_id(person_id))


async def set_away(
    directory: DirectoryRepository,
    person_id: int,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
) -> None:
    if ends_at <= starts_at:
        raise DirectoryChangeRefused("away_order")
    await directory.add_absence(person_id, starts_at, ends_at, now)
