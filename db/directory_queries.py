"""The directory's SQL: the snapshot load and the small writes made from Telegram.

Internals of DirectoryRepository (db/directory_repository.py); outside db/ only the
repository is used. (`PersonView` is re-exported here for the imports that still name it.)
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.directory_snapshot import (
    AbsenceSpan,
    ChatView,
    DirectorySnapshot,
    OrganisationView,
    PersonView,
)
from db.models import Absence, GroupChat, Invitation, Organisation, Person, StandIn

__all__ = ["PersonView", "load_snapshot"]


# --- the snapshot -----------------------------------------------------------------------------


async def load_snapshot(session: AsyncSession, version: int) -> DirectorySnapshot:
    """Six statements, whatever the size of the directory.

    Rows the session already holds are read afresh (populate_existing): a writer in this
    same transaction may have changed them with a bulk UPDATE just before."""
    fresh = {"populate_existing": True}
    organisations = (
        await session.scalars(
            select(Organisation).order_by(Organisation.code), execution_options=fresh
        )
    ).all()
    code_of = {org.id: org.code for org in organisations}
    people = (
        await session.scalars(
            select(Person).options(selectinload(Person.roles)).order_by(Person.id),
            execution_options=fresh,
        )
    ).all()
    chats = (
        await session.scalars(select(GroupChat).order_by(GroupChat.id), execution_options=fresh)
    ).all()
    stand_ins: dict[int, list[int]] = defaultdict(list)
    for person_id, substitute_id in await session.execute(
        select(StandIn.person_id, StandIn.substitute_id).order_by(
            StandIn.person_id, StandIn.priority, StandIn.id
        )
    ):
        stand_ins[person_id].append(substitute_id)
    absences = await session.execute(
        select(Absence.person_id, Absence.starts_at, Absence.ends_at).order_by(Absence.id)
    )
    return DirectorySnapshot(
        version=version,
        organisations=tuple(
            OrganisationView(
                id=org.id,
                code=org.code,
                name=org.name,
                is_centre=org.is_centre,
                timezone=org.timezone,
                office_hours=org.office_hours,
                topics=tuple(str(topic) for topic in org.topics or ()),
                publish=org.publish,
            )
            for org in organisations
        ),
        people={
            person.id: PersonView(
                id=person.id,
                full_name=person.full_name,
                telegram_id=person.telegram_id,
                username=person.username,
                roles=frozenset(row.role for row in person.roles),
                org_code=code_of.get(person.organisation_id) if person.organisation_id else None,
                locale=person.locale,
                active=person.active,
                key=person.key,
                vk_id=person.vk_id,
            )
            for person in people
        },
        chats=tuple(ChatView(c.chat_id, c.title, code_of[c.organisation_id]) for c in chats),
        stand_ins={person_id: tuple(ids) for person_id, ids in stand_ins.items()},
        absences=tuple(AbsenceSpan(*row) for row in absences),
    )


# --- writes -----------------------------------------------------------------------------------


async def bind_telegram_id(session: AsyncSession, person_id: int, telegram_id: int) -> bool:
    """Bind the numeric id of someone listed by @username only, unless it is bound already."""
    result = await session.execute(
        update(Person)
        .where(Person.id == person_id, Person.telegram_id.is_(None))
        .values(telegram_id=telegram_id)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def organisation_id(session: AsyncSession, code: str) -> int | None:
    return await session.scalar(select(Organisation.id).where(Organisation.code == code))


async def bind_chat(
    session: AsyncSession, chat_id: int, title: str | None, organisation_id: int
) -> None:
    chat = (await session.execute(select(GroupChat).where(GroupChat.chat_id == chat_id))).scalar()
    if chat is None:
        session.add(GroupChat(chat_id=chat_id, title=title, organisation_id=organisation_id))
    else:
        chat.organisation_id = organisation_id
        chat.title = title
    await session.flush()


async def add_invitation(session: AsyncSession, code: str, person_id: int, now: datetime) -> None:
    session.add(Invitation(code=code, person_id=person_id, created_at=now))
    await session.flush()


async def open_invitation(session: AsyncSession, code: str) -> tuple[int, int] | None:
    """(invitation id, person id) of an invitation not used yet."""
    row = (
        await session.execute(
            select(Invitation.id, Invitation.person_id).where(
                Invitation.code == code, Invitation.used_at.is_(None)
            )
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def holder_of(session: AsyncSession, telegram_id: int) -> tuple[int, str] | None:
    """(person id, full name) of whoever holds this Telegram id."""
    row = (
        await session.execute(
            select(Person.id, Person.full_name).where(Person.telegram_id == telegram_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def person_state(session: AsyncSession, person_id: int) -> tuple[str, bool] | None:
    """(full name, active) read in the writer's own transaction."""
    row = (
        await session.execute(select(Person.full_name, Person.active).where(Person.id == person_id))
    ).first()
    return (row[0], row[1]) if row is not None else None


async def use_invitation(
    session: AsyncSession, invitation_id: int, person_id: int, telegram_id: int, now: datetime
) -> None:
    await session.execute(
        update(Person)
        .where(Person.id == person_id)
        .values(telegram_id=telegram_id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


async def add_absence(
    session: AsyncSession,
    person_id: int,
    starts_at: datetime,
    ends_at: datetime | None,
    now: datetime,
) -> None:
    session.add(Absence(person_id=person_id, starts_at=starts_at, ends_at=ends_at, created_at=now))
    await session.flush()


async def end_absences(session: AsyncSession, person_id: int, now: datetime) -> int:
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
    return int(result.rowcount or 0)
