"""A small directory written straight into the database, for service and bot tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.directory_cache import directory_changed
from db.models import Absence, GroupChat, Organisation, Person, PersonRole, StandIn
from workflow.roles import Role


@dataclass
class SeededDirectory:
    people: dict[str, int] = field(default_factory=dict)  # key -> Person.id
    telegram: dict[str, int] = field(default_factory=dict)  # key -> Telegram user id


# key, full name, telegram id, roles, organisation code
PEOPLE: list[tuple[str, str, int, list[Role], str | None]] = [
    ("curator", "Куратор Иванова", 1001, [Role.CURATOR], "mcu"),
    ("deputy", "Заместитель Петров", 1002, [Role.DEPUTY_CURATOR], "mcu"),
    ("roads_1", "Исполнитель Дорогин", 2001, [Role.EXECUTOR], "roads"),
    ("roads_2", "Исполнитель Мостов", 2002, [Role.EXECUTOR], "roads"),
    ("roads_head", "Начальник Путевой", 2009, [Role.RESPONSIBLE], "roads"),
    ("parks_1", "Исполнитель Садова", 3001, [Role.EXECUTOR], "parks"),
    ("manager", "Замглавы Сидоров", 4001, [Role.MANAGER], "mcu"),
    ("admin", "Администратор Кузнецов", 5001, [Role.ADMIN], "mcu"),
]
ORGANISATIONS: list[tuple[str, str, bool, str | None]] = [
    ("mcu", "Муниципальный центр управления", True, None),
    ("roads", "Управление дорожного хозяйства", False, "Asia/Novosibirsk"),
    ("parks", "Управление благоустройства", False, None),
]
CHATS: dict[str, int] = {"roads": -100200, "parks": -100300}


async def seed_directory(session: AsyncSession, *, with_chats: bool = True) -> SeededDirectory:
    organisations = {}
    for code, name, is_centre, timezone in ORGANISATIONS:
        organisations[code] = Organisation(
            code=code, name=name, is_centre=is_centre, timezone=timezone, topics=[]
        )
        session.add(organisations[code])
    await session.flush()
    seeded = SeededDirectory()
    for key, full_name, telegram_id, roles, org in PEOPLE:
        person = Person(
            key=key,
            telegram_id=telegram_id,
            full_name=full_name,
            organisation_id=organisations[org].id if org else None,
            active=True,
            roles=[PersonRole(role=role) for role in roles],
        )
        session.add(person)
        await session.flush()
        seeded.people[key] = person.id
        seeded.telegram[key] = telegram_id
    session.add(StandIn(person_id=seeded.people["roads_1"], substitute_id=seeded.people["roads_2"]))
    if with_chats:
        for code, chat_id in CHATS.items():
            session.add(
                GroupChat(chat_id=chat_id, title=code, organisation_id=organisations[code].id)
            )
    await session.flush()
    directory_changed(session)  # written past the repository: drop any cached snapshot
    return seeded


async def mark_away(
    session: AsyncSession, person_id: int, starts_at: datetime, ends_at: datetime | None
) -> None:
    session.add(
        Absence(person_id=person_id, starts_at=starts_at, ends_at=ends_at, created_at=starts_at)
    )
    await session.flush()
    directory_changed(session)


async def add_stand_in(
    session: AsyncSession, person_id: int, substitute_id: int, priority: int = 0
) -> None:
    session.add(StandIn(person_id=person_id, substitute_id=substitute_id, priority=priority))
    await session.flush()
    directory_changed(session)
