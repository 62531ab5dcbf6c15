"""Syncing, exporting and reading back the directory tables in the sync tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.directory import (
    DirectorySpec,
    PersonSpec,
    SyncReport,
    export_directory,
    import_directory,
)
from db.engine import create_session_factory
from db.models import (
    Base,
    GroupChat,
    Organisation,
    Person,
    PersonRole,
    StandIn,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "directory.example.yaml"

DIRECTORY_TABLES = (
    "organisations",
    "people",
    "person_roles",
    "group_chats",
    "stand_ins",
    "absences",
    "invitations",
)

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


async def sync(engine: AsyncEngine, spec: DirectorySpec) -> SyncReport:
    return await import_directory(create_session_factory(engine), spec)


async def export(engine: AsyncEngine) -> str:
    return await export_directory(create_session_factory(engine))


async def raw_snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every directory table, ids included: "nothing changed" means this."""
    snapshot = {}
    async with engine.connect() as connection:
        for name in DIRECTORY_TABLES:
            table = Base.metadata.tables[name]
            rows = await connection.execute(select(table).order_by(*table.primary_key.columns))
            snapshot[name] = [tuple(row) for row in rows]
    return snapshot


async def state(engine: AsyncEngine) -> dict[str, Any]:
    """The directory by natural keys, comparable across databases whose ids differ."""
    async with engine.connect() as connection:
        orgs = (await connection.execute(select(Organisation.__table__))).mappings().all()
        code_of = {org["id"]: org["code"] for org in orgs}
        people = (await connection.execute(select(Person.__table__))).mappings().all()
        key_of = {person["id"]: person["key"] for person in people}
        roles: dict[str, set[str]] = {key: set() for key in key_of.values()}
        for person_id, role in await connection.execute(
            select(PersonRole.person_id, PersonRole.role)
        ):
            roles[key_of[person_id]].add(str(role))
        stand_ins: dict[str, list[tuple[int, str]]] = {key: [] for key in key_of.values()}
        for person_id, substitute_id, priority in await connection.execute(
            select(StandIn.person_id, StandIn.substitute_id, StandIn.priority)
        ):
            stand_ins[key_of[person_id]].append((priority, key_of[substitute_id]))
        chats = (await connection.execute(select(GroupChat.__table__))).mappings().all()
    return {
        "organisations": {
            org["code"]: (
                org["name"],
                org["is_centre"],
                org["timezone"],
                org["office_hours"],
                org["topics"],
            )
            for org in orgs
        },
        "people": {
            person["key"]: {
                "telegram_id": person["telegram_id"],
                "username": person["username"],
                "full_name": person["full_name"],
                "organisation": code_of.get(person["organisation_id"]),
                "locale": person["locale"],
                "active": person["active"],
                "roles": roles[person["key"]],
                "stand_ins": sorted(stand_ins[person["key"]]),
            }
            for person in people
        },
        "chats": {
            chat["chat_id"]: (chat["title"], code_of[chat["organisation_id"]]) for chat in chats
        },
    }


def with_person(spec: DirectorySpec, key: str, **changes: Any) -> DirectorySpec:
    people = [
        PersonSpec.model_validate({**dict(p), **changes}) if p.key == key else p
        for p in spec.people
    ]
    return spec.model_copy(update={"people": people})


def without_person(spec: DirectorySpec, key: str) -> DirectorySpec:
    """The spec with a person gone, and gone from everyone's stand-ins too."""
    people = [
        p.model_copy(update={"stand_ins": [k for k in p.stand_ins if k != key]})
        for p in spec.people
        if p.key != key
    ]
    return spec.model_copy(update={"people": people})


async def person_id(engine: AsyncEngine, key: str) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(select(Person.id).where(Person.key == key))).scalar_one()
