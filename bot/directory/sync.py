"""Import: a validated directory spec into the database, in one transaction.

What the sync does with entries the file no longer lists (people deactivated, chats
removed, organisations kept while anything refers to them) is described in
db/directory_sync.py, which does it; here the spec becomes plain records.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.directory.pages_checks import page_record
from bot.directory.schema import DirectorySpec
from db.directory_records import (
    ChatRecord,
    DirectoryRecords,
    OrganisationRecord,
    PersonRecord,
    SyncReport,
)
from db.uow import UnitOfWork


def to_records(spec: DirectorySpec) -> DirectoryRecords:
    centre = spec.centre
    return DirectoryRecords(
        organisations=(
            OrganisationRecord(
                centre.code, centre.name, True, centre.timezone, centre.office_hours
            ),
            *(
                OrganisationRecord(
                    org.code,
                    org.name,
                    False,
                    org.timezone,
                    org.office_hours,
                    tuple(org.topics),
                    org.publish,
                )
                for org in spec.organisations
            ),
        ),
        people=tuple(
            PersonRecord(
                key=person.key,
                full_name=person.full_name,
                telegram_id=person.telegram_id,
                username=person.username,
                roles=tuple(person.roles),
                organisation=person.organisation,
                stand_ins=tuple(person.stand_ins),
                locale=person.locale,
                active=person.active,
                vk_id=person.vk_id,
            )
            for person in spec.people
        ),
        chats=tuple(ChatRecord(chat.chat_id, chat.title, chat.organisation) for chat in spec.chats),
        pages=tuple(page_record(page) for page in spec.pages),
    )


async def import_directory(
    sessions: async_sessionmaker[AsyncSession], spec: DirectorySpec
) -> SyncReport:
    """The whole sync in one transaction: committed if it all succeeds, else nothing.

    The directory cache is told when the transaction ends (DirectoryRepository.sync)."""
    async with UnitOfWork(sessions) as uow:
        return await uow.directory.sync(to_records(spec))
