"""Syncing organisations and the centre, failed syncs, and exporting the directory back, on SQLite
and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.directory import (
    DirectoryEmpty,
    DirectorySpec,
    parse_directory,
)
from db.engine import create_session_factory
from db.models import (
    AssignmentRow,
    IncidentRow,
)
from tests.directory.sync_helpers import (
    NOW,
    export,
    raw_snapshot,
    state,
    sync,
    with_person,
    without_person,
)


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
