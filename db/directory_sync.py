"""Sync directory records into the database, and read them back (DirectoryRepository's internals).

The sync upserts by natural keys (organisation code, person key, chat id) and makes roles,
stand-ins and topics match the records. What the records no longer list is retired without
losing history:

- a person is deactivated (active = False): incidents, absences and invitations keep
  pointing at them; their own stand-ins are dropped, and a telegram_id or username they
  held goes to whoever the records now give it to;
- a group chat is removed (nothing refers to it; cards and messages keep the raw chat id);
- an organisation is removed when nothing refers to it (no person, even a deactivated one,
  no chat, no incident history by its code); otherwise it stays as it is, and the report
  says so each time.

Nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.directory_records import (
    KINDS,
    ChatRecord,
    DirectoryRecords,
    OrganisationRecord,
    PersonRecord,
    SyncReport,
)
from db.models import Base, GroupChat, Organisation, Person, PersonRole, StandIn
from db.pages_sync import page_links, read_pages, sync_pages
from workflow.roles import Role

_ROLE_ORDER = {role: position for position, role in enumerate(Role)}


# --- the state the report compares -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _State:
    organisations: dict[str, tuple[Any, ...]]
    people: dict[str, tuple[Any, ...]]
    chats: dict[int, tuple[Any, ...]]


async def _state(session: AsyncSession) -> _State:
    organisations = (await session.scalars(select(Organisation))).all()
    people = (await session.scalars(select(Person).options(selectinload(Person.roles)))).all()
    chats = (await session.scalars(select(GroupChat))).all()
    stand_ins = (await session.scalars(select(StandIn))).all()
    code_of = {org.id: org.code for org in organisations}
    key_of = {person.id: person.key for person in people}
    substitutes: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for row in stand_ins:
        substitutes[row.person_id].append((key_of[row.substitute_id], row.priority))
    return _State(
        organisations={
            org.code: (
                org.name,
                org.is_centre,
                org.timezone,
                org.office_hours,
                list(org.topics),
                org.publish,
            )
            for org in organisations
        },
        people={
            person.key: (
                person.telegram_id,
                person.username,
                person.full_name,
                code_of.get(person.organisation_id) if person.organisation_id else None,
                person.locale,
                person.active,
                sorted(row.role.value for row in person.roles),
                sorted(substitutes[person.id]),
                person.vk_id,
            )
            for person in people
        },
        chats={chat.chat_id: (chat.title, code_of[chat.organisation_id]) for chat in chats},
    )


def _compare(report: SyncReport, before: _State, after: _State) -> None:
    active = 5  # the position of Person.active in a person's state
    for kind in KINDS:
        old: dict[Any, tuple[Any, ...]] = getattr(before, kind)
        new: dict[Any, tuple[Any, ...]] = getattr(after, kind)
        report.created[kind] += len(new.keys() - old.keys())
        report.deleted[kind] += len(old.keys() - new.keys())
        for name in old.keys() & new.keys():
            if old[name] == new[name]:
                continue
            if kind == "people" and old[name][active] != new[name][active]:
                counter = report.reactivated if new[name][active] else report.deactivated
                counter[kind] += 1
            else:
                report.updated[kind] += 1


def _assign(row: Any, values: dict[str, Any]) -> None:
    # Only touch what differs, so that an unchanged row is not written at all.
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


# --- import ----------------------------------------------------------------------------------


async def sync_records(session: AsyncSession, spec: DirectoryRecords) -> SyncReport:
    """Make the directory tables match `spec` (already validated); flushes, never commits."""
    report = SyncReport()
    before = await _state(session)
    links_before = await page_links(session)  # to see a page's administrator leave
    organisations = await _sync_organisations(session, spec)
    people = await _sync_people(session, spec, organisations, report)
    await _sync_stand_ins(session, spec, people)
    await _sync_chats(session, spec, organisations)
    await sync_pages(session, spec.pages, organisations, people, report, links_before)
    await _retire_organisations(session, spec, organisations, report)
    await session.flush()
    _compare(report, before, await _state(session))
    return report


async def _sync_organisations(
    session: AsyncSession, spec: DirectoryRecords
) -> dict[str, Organisation]:
    rows = {org.code: org for org in (await session.scalars(select(Organisation))).all()}
    wanted: list[tuple[str, dict[str, Any]]] = [
        (
            org.code,
            {
                "name": org.name,
                "is_centre": org.is_centre,
                "timezone": org.timezone,
                "office_hours": org.office_hours,
                "topics": list(org.topics),
                "publish": org.publish,
            },
        )
        for org in spec.organisations
    ]
    for code, values in wanted:
        row = rows.get(code)
        if row is None:
            rows[code] = row = Organisation(code=code, **values)
            session.add(row)
        else:
            _assign(row, values)
    listed = {code for code, _ in wanted}
    for code, row in rows.items():
        if code not in listed and row.is_centre:
            row.is_centre = False  # the file names another centre
    await session.flush()
    return rows


async def _sync_people(
    session: AsyncSession,
    spec: DirectoryRecords,
    organisations: dict[str, Organisation],
    report: SyncReport,
) -> dict[str, Person]:
    rows = {
        person.key: person
        for person in (
            await session.scalars(select(Person).options(selectinload(Person.roles)))
        ).all()
    }
    listed = {person.key: person for person in spec.people}
    claimed_ids = {p.telegram_id for p in spec.people if p.telegram_id is not None}
    claimed_names = {p.username for p in spec.people if p.username is not None}

    identity: dict[str, tuple[int | None, str | None]] = {}
    for person in spec.people:
        row = rows.get(person.key)
        telegram_id = person.telegram_id
        if (
            telegram_id is None
            and row is not None
            and row.telegram_id is not None
            and person.username is not None
            and row.username == person.username
            and row.telegram_id not in claimed_ids
        ):
            # Bound when the person, listed by username only, first wrote to the bot: keep it,
            # or every import would unbind them until they write again.
            telegram_id = row.telegram_id
        identity[person.key] = (telegram_id, person.username)
    for key, row in rows.items():
        if key in listed:
            continue
        telegram_id = None if row.telegram_id in claimed_ids else row.telegram_id
        username = None if row.username in claimed_names else row.username
        if (telegram_id, username) != (row.telegram_id, row.username):
            report.notes.append(
                f'person "{key}" is not in the file: their telegram_id or username now '
                "belongs to someone the file lists"
            )
        identity[key] = (telegram_id, username)

    # Release every value that moves before setting any, so that two people swapping
    # usernames never collide with the unique constraints halfway through the flush.
    for key, row in rows.items():
        telegram_id, username = identity[key]
        if row.telegram_id is not None and row.telegram_id != telegram_id:
            row.telegram_id = None
        if row.username is not None and row.username != username:
            row.username = None
    await session.flush()

    for person in spec.people:
        telegram_id, username = identity[person.key]
        values = {
            "telegram_id": telegram_id,
            "username": username,
            "full_name": person.full_name,
            "organisation_id": organisations[person.organisation].id
            if person.organisation is not None
            else None,
            "locale": person.locale,
            "active": person.active,
            "vk_id": person.vk_id,
        }
        row = rows.get(person.key)
        if row is None:
            rows[person.key] = row = Person(key=person.key, roles=[], **values)
            session.add(row)
        else:
            _assign(row, values)
        current = {held.role: held for held in row.roles}
        for role, held in current.items():
            if role not in person.roles:
                row.roles.remove(held)  # delete-orphan removes the row
        for role in person.roles:
            if role not in current:
                row.roles.append(PersonRole(role=role))
    for key, row in rows.items():
        if key not in listed:
            _assign(row, {"active": False})
    await session.flush()
    return rows


async def _sync_stand_ins(
    session: AsyncSession, spec: DirectoryRecords, people: dict[str, Person]
) -> None:
    existing: dict[int, dict[int, StandIn]] = defaultdict(dict)
    for row in (await session.scalars(select(StandIn))).all():
        existing[row.person_id][row.substitute_id] = row
    listed = {person.key for person in spec.people}
    for person in spec.people:
        person_id = people[person.key].id
        wanted = {people[key].id: priority for priority, key in enumerate(person.stand_ins)}
        current = existing.pop(person_id, {})
        for substitute_id, row in current.items():
            if substitute_id in wanted:
                _assign(row, {"priority": wanted[substitute_id]})
            else:
                await session.delete(row)
        for substitute_id, priority in wanted.items():
            if substitute_id not in current:
                session.add(
                    StandIn(person_id=person_id, substitute_id=substitute_id, priority=priority)
                )
    # Whoever is left is not in the file: a deactivated person needs no stand-ins.
    absent_ids = {row.id for key, row in people.items() if key not in listed}
    for person_id, rows in existing.items():
        if person_id in absent_ids:
            for row in rows.values():
                await session.delete(row)
    await session.flush()


async def _sync_chats(
    session: AsyncSession, spec: DirectoryRecords, organisations: dict[str, Organisation]
) -> None:
    rows = {chat.chat_id: chat for chat in (await session.scalars(select(GroupChat))).all()}
    for chat in spec.chats:
        values = {"title": chat.title, "organisation_id": organisations[chat.organisation].id}
        row = rows.pop(chat.chat_id, None)
        if row is None:
            session.add(GroupChat(chat_id=chat.chat_id, **values))
        else:
            _assign(row, values)
    for row in rows.values():
        await session.delete(row)
    await session.flush()


async def _retire_organisations(
    session: AsyncSession,
    spec: DirectoryRecords,
    organisations: dict[str, Organisation],
    report: SyncReport,
) -> None:
    listed = {org.code for org in spec.organisations}
    for code, row in sorted(organisations.items()):
        if code in listed:
            continue
        references = await _references(session, row)
        if references:
            report.notes.append(
                f'organisation "{code}" is not in the file but stays in the database: '
                f"{', '.join(references)} refer to it"
            )
        else:
            await session.delete(row)


async def _references(session: AsyncSession, organisation: Organisation) -> list[str]:
    """Rows that name this organisation, by foreign key or (in incident history) by code."""
    table = Organisation.__table__
    found = []
    for other in Base.metadata.sorted_tables:
        for column in other.columns:
            if column.name == "org_code":
                condition = column == organisation.code
            elif any(fk.column.table is table for fk in column.foreign_keys):
                condition = column == organisation.id
            else:
                continue
            count = await session.scalar(select(func.count()).select_from(other).where(condition))
            if count:
                found.append(f"{other.name} ({count})")
    return found


# --- export ----------------------------------------------------------------------------------


async def read_records(session: AsyncSession) -> DirectoryRecords:
    """The directory in the database (organisations by code, people by key, chats by
    organisation then id), read as stored: export must work whatever another writer wrote."""
    organisations = (await session.scalars(select(Organisation).order_by(Organisation.code))).all()
    code_of = {org.id: org.code for org in organisations}
    people = (
        await session.scalars(
            select(Person).options(selectinload(Person.roles)).order_by(Person.key)
        )
    ).all()
    key_of = {person.id: person.key for person in people}
    stand_ins: dict[int, list[str]] = defaultdict(list)
    for row in (
        await session.scalars(select(StandIn).order_by(StandIn.priority, StandIn.id))
    ).all():
        stand_ins[row.person_id].append(key_of[row.substitute_id])
    chats = (await session.scalars(select(GroupChat))).all()
    return DirectoryRecords(
        organisations=tuple(
            OrganisationRecord(
                code=org.code,
                name=org.name,
                is_centre=org.is_centre,
                timezone=org.timezone,
                office_hours=org.office_hours,
                topics=tuple(org.topics or ()),
                publish=org.publish,
            )
            for org in organisations
        ),
        people=tuple(
            PersonRecord(
                key=person.key,
                full_name=person.full_name,
                telegram_id=person.telegram_id,
                username=person.username,
                roles=tuple(
                    sorted((row.role for row in person.roles), key=_ROLE_ORDER.__getitem__)
                ),
                organisation=code_of.get(person.organisation_id)
                if person.organisation_id
                else None,
                stand_ins=tuple(stand_ins[person.id]),
                locale=person.locale,
                active=person.active,
                vk_id=person.vk_id,
            )
            for person in people
        ),
        chats=tuple(
            ChatRecord(
                chat_id=chat.chat_id, title=chat.title, organisation=code_of[chat.organisation_id]
            )
            for chat in sorted(chats, key=lambda c: (code_of[c.organisation_id], c.chat_id))
        ),
        pages=await read_pages(session),
    )
