"""Syncing the directory into the database and exporting it back, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.directory import (
    DirectoryEmpty,
    DirectorySpec,
    PersonSpec,
    SyncReport,
    export_directory,
    import_directory,
    load_directory,
    parse_directory,
)
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import (
    Absence,
    AssignmentRow,
    Base,
    GroupChat,
    IncidentRow,
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


# --- helpers ----------------------------------------------------------------------------------


@pytest.fixture
def example() -> DirectorySpec:
    return load_directory(EXAMPLE)


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


@pytest.fixture
async def fresh_engine(database_kind: str, tmp_path: Path, request: pytest.FixtureRequest):
    """A second, empty and migrated database of the same kind."""
    drop = None
    if database_kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        server = make_url(request.getfixturevalue("postgres_server_url"))
        plain = server.set(drivername="postgresql").render_as_string(hide_password=False)
        name = f"fresh_{uuid.uuid4().hex[:16]}"
        connection = await asyncpg.connect(plain)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        url = server.set(database=name).render_as_string(hide_password=False)
        drop = (plain, name)
    engine = create_engine(url)
    await upgrade(engine)
    yield engine
    await engine.dispose()
    if drop is not None:
        connection = await asyncpg.connect(drop[0])
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{drop[1]}" WITH (FORCE)')
        finally:
            await connection.close()


# --- import -----------------------------------------------------------------------------------


async def test_importing_the_example_creates_the_directory(
    engine: AsyncEngine, example: DirectorySpec
) -> None:
    report = await sync(engine, example)
    assert report.summary() == "organisations: 4 created; people: 11 created; chats: 4 created"
    assert report.notes == []

    got = await state(engine)
    assert got["organisations"]["mcu"][1:4] == (
        True,
        "Europe/Moscow",
        "mon-fri 09:00-18:00 break 13:00-14:00",
    )
    assert got["organisations"]["zhkh"][1:] == (
        False,
        None,
        None,
        ["Водоснабжение и водоотведение", "Отопление", "Вывоз мусора", "Благоустройство дворов"],
    )
    assert got["organisations"]["transport"][2:4] == (
        "Europe/Samara",
        "mon-thu 08:00-17:00 break 12:00-13:00; fri 08:00-16:00 break 12:00-13:00",
    )
    assert got["people"]["ivanov.pp"] == {
        "telegram_id": 517093344,
        "username": "ivanov_pp",
        "full_name": "Иванов Пётр Петрович",
        "organisation": "zhkh",
        "locale": None,
        "active": True,
        "roles": {"executor"},
        "stand_ins": [(0, "smirnova.oi"), (1, "volkov.aa")],
    }
    assert got["people"]["lebedev.io"]["telegram_id"] is None
    assert got["people"]["morozova.ev"]["organisation"] is None
    assert got["people"]["kozlov.ds"]["locale"] == "en"
    assert got["people"]["volkov.aa"]["roles"] == {"executor", "responsible"}
    assert got["chats"][-1001932284170] == ("ЖКХ — ответы на инциденты", "zhkh")


async def test_usernames_are_stored_lower_case_without_at(engine: AsyncEngine) -> None:
    spec = parse_directory(EXAMPLE.read_text("utf-8").replace("petrova_an", '"@Petrova_AN"'))
    await sync(engine, spec)
    assert (await state(engine))["people"]["petrova.an"]["username"] == "petrova_an"


async def test_a_second_import_of_the_same_file_changes_nothing(
    engine: AsyncEngine, example: DirectorySpec
) -> None:
    await sync(engine, example)
    before = await raw_snapshot(engine)

    report = await sync(engine, load_directory(EXAMPLE))

    assert report.summary() == "no changes"
    assert not report.changed
    assert await raw_snapshot(engine) == before


async def test_changes_are_applied_and_counted(engine: AsyncEngine, example: DirectorySpec) -> None:
    await sync(engine, example)
    organisations = [
        org.model_copy(update={"name": "Управление ЖКХ", "topics": ["Отопление", "Лифты"]})
        if org.code == "zhkh"
        else org
        for org in example.organisations
    ]
    chats = [
        chat.model_copy(update={"organisation": "edu"}) if chat.organisation == "zhkh" else chat
        for chat in example.chats
    ]
    spec = example.model_copy(update={"organisations": organisations, "chats": chats})
    spec = with_person(spec, "ivanov.pp", stand_ins=["volkov.aa", "smirnova.oi"])  # reordered
    spec = with_person(spec, "smirnova.oi", roles=["executor", "responsible"], locale="en")
    spec = with_person(spec, "morozova.ev", full_name="Морозова Е. В.")

    report = await sync(engine, spec)

    assert report.summary() == "organisations: 1 updated; people: 3 updated; chats: 1 updated"
    got = await state(engine)
    assert got["organisations"]["zhkh"][0] == "Управление ЖКХ"
    assert got["organisations"]["zhkh"][4] == ["Отопление", "Лифты"]
    assert got["people"]["ivanov.pp"]["stand_ins"] == [(0, "volkov.aa"), (1, "smirnova.oi")]
    assert got["people"]["smirnova.oi"]["roles"] == {"executor", "responsible"}
    assert got["people"]["smirnova.oi"]["locale"] == "en"
    assert got["chats"][-1001932284170][1] == "edu"
    assert (await sync(engine, spec)).summary() == "no changes"


async def test_people_left_out_are_deactivated_and_keep_their_history(
    engine: AsyncEngine, example: DirectorySpec
) -> None:
    await sync(engine, example)
    nikitin = await person_id(engine, "nikitin.rs")
    async with engine.begin() as connection:
        await connection.execute(
            insert(Absence).values(
                person_id=nikitin, starts_at=NOW, reason="отпуск", created_at=NOW
            )
        )

    report = await sync(engine, without_person(example, "nikitin.rs"))

    # fedorova.ty lost her stand-in (nikitin), so she is updated too.
    assert report.summary() == "people: 1 updated, 1 deactivated"
    got = await state(engine)
    assert got["people"]["nikitin.rs"]["active"] is False
    assert got["people"]["nikitin.rs"]["roles"] == {"executor"}  # kept for the history
    assert got["people"]["nikitin.rs"]["stand_ins"] == []  # an inactive person needs none
    assert got["people"]["fedorova.ty"]["stand_ins"] == []
    assert (await person_id(engine, "nikitin.rs")) == nikitin
    snapshot = await raw_snapshot(engine)
    assert [row[1] for row in snapshot["absences"]] == [nikitin]

    again = await sync(engine, example)
    assert again.summary() == "people: 1 updated, 1 reactivated"
    assert (await state(engine))["people"]["nikitin.rs"]["active"] is True


async def test_active_false_in_the_file_deactivates_too(
    engine: AsyncEngine, example: DirectorySpec
) -> None:
    await sync(engine, example)
    spec = with_person(example, "morozova.ev", active=False)
    assert (await sync(engine, spec)).summary() == "people: 1 deactivated"
    assert (await sync(engine, spec)).summary() == "no changes"


async def test_absences_survive_imports(engine: AsyncEngine, example: DirectorySpec) -> None:
    await sync(engine, example)
    ivanov = await person_id(engine, "ivanov.pp")
    async with engine.begin() as connection:
        await connection.execute(
            insert(Absence).values(
                person_id=ivanov, starts_at=NOW, ends_at=None, reason="больничный", created_at=NOW
            )
        )
    absences = (await raw_snapshot(engine))["absences"]

    await sync(engine, with_person(example, "ivanov.pp", full_name="Иванов П. П."))
    await sync(engine, example)

    assert (await raw_snapshot(engine))["absences"] == absences


async def test_usernames_and_ids_can_swap_between_people(
    engine: AsyncEngine, example: DirectorySpec
) -> None:
    await sync(engine, example)
    spec = with_person(example, "ivanov.pp", telegram_id=628874105, username="smirnova_oi")
    spec = with_person(spec, "smirnova.oi", telegram_id=517093344, username="ivanov_pp")

    report = await sync(engine, spec)

    assert report.summary() == "people: 2 updated"
    got = (await state(engine))["people"]
    assert (got["ivanov.pp"]["telegram_id"], got["ivanov.pp"]["username"]) == (
        628874105,
        "smirnova_oi",
    )
    assert (got["smirnova.oi"]["telegram_id"], got["smirnova.oi"]["username"]) == (
        517093344,
        "ivanov_pp",
    )


async def test_a_newcomer_takes_over_the_telegram_id_of_someone_who_left(
    engine: AsyncEngine, example: DirectorySpec
) -> None:
    await sync(engine, example)
    spec = without_person(example, "smirnova.oi")
    newcomer = PersonSpec(
        key="smirnova.oi.2",
        full_name="Смирнова О. И.",
        telegram_id=628874105,
        roles=["executor"],
        organisation="zhkh",
    )
    spec = spec.model_copy(update={"people": [*spec.people, newcomer]})

    report = await sync(engine, spec)

    assert report.summary() == "people: 1 created, 1 updated, 1 deactivated"  # ivanov.pp: stand-ins
    assert report.notes == [
        'person "smirnova.oi" is not in the file: their telegram_id or username now belongs '
        "to someone the file lists"
    ]
    got = (await state(engine))["people"]
    assert got["smirnova.oi"]["telegram_id"] is None and got["smirnova.oi"]["active"] is False
    assert got["smirnova.oi.2"]["telegram_id"] == 628874105


async def test_a_telegram_id_bound_on_first_contact_is_kept(
    engine: AsyncEngine, example: DirectorySpec
) -> None:
    await sync(engine, example)
    # lebedev.io is listed by username only; the bot binds his id when he first writes.
    async with engine.begin() as connection:
        await connection.execute(
            update(Person).where(Person.key == "lebedev.io").values(telegram_id=777000111)
        )
    before = await raw_snapshot(engine)

    assert (await sync(engine, example)).summary() == "no changes"
    assert await raw_snapshot(engine) == before
    assert "telegram_id: 777000111" in await export(engine)

    # A new username means the binding may be someone else's: it is dropped.
    await sync(engine, with_person(example, "lebedev.io", username="lebedev_new"))
    assert (await state(engine))["people"]["lebedev.io"]["telegram_id"] is None


async def test_organisations_left_out_are_removed_unless_something_refers_to_them(
    engine: AsyncEngine, example: DirectorySpec
) -> None:
    await sync(engine, example)
    # Move the education people to ЖКХ, then drop edu and transport (whose people stay
    # behind, deactivated) from the file; edu also has incident history.
    spec = example
    for person in example.people:
        if person.organisation == "edu":
            spec = with_person(spec, person.key, organisation="zhkh")
    for person in example.people:
        if person.organisation == "transport":
            spec = without_person(spec, person.key)
    spec = spec.model_copy(
        update={
            "organisations": [o for o in spec.organisations if o.code == "zhkh"],
            "chats": [c for c in spec.chats if c.organisation in ("mcu", "zhkh")],
        }
    )
    report = await sync(engine, spec)
    assert "edu" not in (await state(engine))["organisations"]  # nothing referred to it
    assert report.summary() == (
        "organisations: 1 deleted; people: 2 updated, 2 deactivated; chats: 2 deleted"
    )
    assert report.notes == [
        'organisation "transport" is not in the file but stays in the database: '
        "people (2) refer to it"
    ]
    assert (await sync(engine, spec)).summary() == "no changes"

    # An organisation named only by incident history stays too.
    await sync(engine, example)
    async with create_session_factory(engine)() as session, session.begin():
        incident = IncidentRow(
            source="vk",
            url="https://vk.com/wall-1_1",
            text="Нет воды",
            detected_at=NOW,
            status="in_work",
            importance="normal",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(incident)
        await session.flush()
        session.add(
            AssignmentRow(incident_id=incident.id, org_code="edu", status="sent", received_at=NOW)
        )
    report = await sync(engine, spec)
    assert report.notes == [
        'organisation "edu" is not in the file but stays in the database: assignments (1) '
        "refer to it",
        'organisation "transport" is not in the file but stays in the database: '
        "people (2) refer to it",
    ]
    assert "edu" in (await state(engine))["organisations"]


async def test_the_centre_can_change(engine: AsyncEngine, example: DirectorySpec) -> None:
    await sync(engine, example)
    centre_people = [p.key for p in example.people if p.organisation == "mcu"]
    spec = example.model_copy(
        update={
            "centre": example.centre.model_copy(update={"code": "cur", "name": "ЦУР"}),
            "chats": [c for c in example.chats if c.organisation != "mcu"],
        }
    )
    for key in centre_people:
        spec = with_person(spec, key, organisation="cur")

    report = await sync(engine, spec)

    centres = [code for code, org in (await state(engine))["organisations"].items() if org[1]]
    assert centres == ["cur"]
    assert report.notes == []  # nothing referred to the old centre any more: removed
    assert report.summary() == (
        "organisations: 1 created, 1 deleted; people: 3 updated; chats: 1 deleted"
    )


async def test_a_failed_sync_writes_nothing(engine: AsyncEngine, example: DirectorySpec) -> None:
    await sync(engine, example)
    before = await raw_snapshot(engine)
    # Built in code past the file's checks: two people with one telegram_id.
    broken = with_person(example, "ivanov.pp", full_name="Иванов", telegram_id=628874105)

    with pytest.raises(IntegrityError):
        await sync(engine, broken)

    assert await raw_snapshot(engine) == before


# --- export -----------------------------------------------------------------------------------


async def test_export_imports_into_a_fresh_database_to_the_same_state(
    engine: AsyncEngine, fresh_engine: AsyncEngine, example: DirectorySpec
) -> None:
    await sync(engine, example)
    # Some state a file cannot say directly: a deactivated person, a retained organisation.
    spec = without_person(without_person(example, "nikitin.rs"), "fedorova.ty")
    spec = spec.model_copy(
        update={
            "organisations": [o for o in spec.organisations if o.code != "transport"],
            "chats": [c for c in spec.chats if c.organisation != "transport"],
        }
    )
    await sync(engine, spec)
    text = await export(engine)

    report = await sync(fresh_engine, parse_directory(text))

    assert report.changed
    assert await state(fresh_engine) == await state(engine)
    assert await export(fresh_engine) == text


async def test_export_imported_into_the_same_database_changes_nothing(
    engine: AsyncEngine, example: DirectorySpec
) -> None:
    await sync(engine, example)
    before = await raw_snapshot(engine)

    report = await sync(engine, parse_directory(await export(engine)))

    assert report.summary() == "no changes"
    assert await raw_snapshot(engine) == before


async def test_export_is_sorted_and_readable(engine: AsyncEngine, example: DirectorySpec) -> None:
    await sync(engine, example)
    text = await export(engine)
    spec = parse_directory(text)

    assert [org.code for org in spec.organisations] == ["edu", "transport", "zhkh"]
    assert [p.key for p in spec.people] == sorted(p.key for p in example.people)
    assert [(c.organisation, c.chat_id) for c in spec.chats] == sorted(
        (c.organisation, c.chat_id) for c in example.chats
    )
    assert "full_name: Иванов Пётр Петрович" in text
    assert "    roles: [executor, responsible]\n" in text
    assert "    stand_ins: [smirnova.oi, volkov.aa]\n" in text
    assert "active:" not in text  # defaults are left out


async def test_exporting_an_empty_database_says_so(engine: AsyncEngine) -> None:
    with pytest.raises(DirectoryEmpty, match="import one first"):
        await export(engine)
