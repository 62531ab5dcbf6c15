"""Read-side of the directory: who is this user, who stands in for whom, where to write."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.models import Absence, GroupChat, Organisation, Person, PersonRole, StandIn
from workflow.roles import CURATOR_ROLES, Role


@dataclass(frozen=True, slots=True)
class PersonView:
    id: int
    full_name: str
    telegram_id: int | None
    username: str | None
    roles: frozenset[Role]
    org_code: str | None
    locale: str | None
    active: bool


def _view(person: Person) -> PersonView:
    return PersonView(
        id=person.id,
        full_name=person.full_name,
        telegram_id=person.telegram_id,
        username=person.username,
        roles=frozenset(role.role for role in person.roles),
        org_code=person.organisation.code if person.organisation else None,
        locale=person.locale,
        active=person.active,
    )


def _people_query():  # noqa: ANN202 - a Select of Person with what _view needs
    return select(Person).options(selectinload(Person.roles), selectinload(Person.organisation))


async def person_by_id(session: AsyncSession, person_id: int) -> PersonView | None:
    person = (await session.execute(_people_query().where(Person.id == person_id))).scalar()
    return _view(person) if person else None


async def person_for_telegram_user(
    session: AsyncSession, telegram_id: int, username: str | None
) -> PersonView | None:
    """The active person behind a Telegram user.

    People listed in the directory by @username only get their numeric id bound on first
    contact, so that a later change of username does not lock them out.
    """
    person = (
        await session.execute(_people_query().where(Person.telegram_id == telegram_id))
    ).scalar()
    if person is None and username:
        person = (
            await session.execute(
                _people_query().where(
                    Person.username == username.lower().lstrip("@"), Person.telegram_id.is_(None)
                )
            )
        ).scalar()
        if person is not None:
            person.telegram_id = telegram_id
    if person is None or not person.active:
        return None
    return _view(person)


def _absent_at(at: datetime):  # noqa: ANN202 - a SQL condition
    return and_(Absence.starts_at <= at, or_(Absence.ends_at.is_(None), Absence.ends_at > at))


async def absent_people(session: AsyncSession, at: datetime) -> frozenset[int]:
    rows = await session.execute(select(Absence.person_id).where(_absent_at(at)))
    return frozenset(rows.scalars())


async def stands_in_for(session: AsyncSession, person_id: int, at: datetime) -> frozenset[int]:
    """People this person replaces at `at`: those who name them as stand-in and are away (п.8)."""
    rows = await session.execute(
        select(StandIn.person_id)
        .join(Absence, Absence.person_id == StandIn.person_id)
        .where(StandIn.substitute_id == person_id, _absent_at(at))
    )
    return frozenset(rows.scalars())


async def acting_substitutes(
    session: AsyncSession, person_ids: Iterable[int], at: datetime
) -> dict[int, list[int]]:
    """For each given person who is away at `at`, their stand-ins who are not away themselves."""
    ids = list(person_ids)
    if not ids:
        return {}
    away = await absent_people(session, at)
    wanted = [person_id for person_id in ids if person_id in away]
    if not wanted:
        return {}
    rows = await session.execute(
        select(StandIn.person_id, StandIn.substitute_id)
        .where(StandIn.person_id.in_(wanted))
        .order_by(StandIn.person_id, StandIn.priority, StandIn.id)
    )
    result: dict[int, list[int]] = {}
    for person_id, substitute_id in rows:
        if substitute_id not in away:
            result.setdefault(person_id, []).append(substitute_id)
    return result


async def people_with_roles(
    session: AsyncSession, roles: Iterable[Role], org_code: str | None = None
) -> list[PersonView]:
    query = (
        _people_query()
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(PersonRole.role.in_(list(roles)), Person.active.is_(True))
        .order_by(Person.id)
        .distinct()
    )
    if org_code is not None:
        query = query.join(Organisation, Organisation.id == Person.organisation_id).where(
            Organisation.code == org_code
        )
    return [_view(person) for person in (await session.execute(query)).scalars()]


async def curators(session: AsyncSession) -> list[PersonView]:
    return await people_with_roles(session, CURATOR_ROLES)


async def organisation_chats(session: AsyncSession, org_code: str) -> list[int]:
    rows = await session.execute(
        select(GroupChat.chat_id)
        .join(Organisation, Organisation.id == GroupChat.organisation_id)
        .where(Organisation.code == org_code)
        .order_by(GroupChat.id)
    )
    return list(rows.scalars())


async def centre_chats(session: AsyncSession) -> list[int]:
    rows = await session.execute(
        select(GroupChat.chat_id)
        .join(Organisation, Organisation.id == GroupChat.organisation_id)
        .where(Organisation.is_centre.is_(True))
        .order_by(GroupChat.id)
    )
    return list(rows.scalars())


async def organisation_by_chat(session: AsyncSession, chat_id: int) -> Organisation | None:
    return (
        await session.execute(
            select(Organisation)
            .join(GroupChat, GroupChat.organisation_id == Organisation.id)
            .where(GroupChat.chat_id == chat_id)
        )
    ).scalar()


async def organisations(session: AsyncSession) -> list[Organisation]:
    return list((await session.execute(select(Organisation).order_by(Organisation.code))).scalars())
