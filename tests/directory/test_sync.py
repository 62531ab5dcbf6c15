"""Syncing the directory's people into the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.directory import (
    DirectorySpec,
    PersonSpec,
    load_directory,
    parse_directory,
)
from db.models import (
    Absence,
    Person,
)
from tests.directory.sync_helpers import (
    EXAMPLE,
    NOW,
    export,
    person_id,
    raw_snapshot,
    state,
    sync,
    with_person,
    without_person,
)


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
