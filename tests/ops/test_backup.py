"""`python -m bot backup FILE` and `python -m bot restore FILE`: an SQLite database with
incidents round-trips through a backup taken while the bot's engine is open."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.clock import ManualClock
from db.engine import create_engine, create_session_factory
from db.models import IncidentRow
from workflow.model import Post, Source


@pytest.fixture
def database_kind() -> str:
    return "sqlite"  # the online backup API is SQLite's; PostgreSQL has pg_dump (README)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 5, 20, 10, 0, tzinfo=ZoneInfo("Europe/Moscow")))


@pytest.fixture
def cli_env(monkeypatch, database_url):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DEFAULT_LOCALE", "en")


def _post(n: int) -> Post:
    return Post(Source.VK, f"https://vk.com/wall-1_{n}", f"Яма на улице {n}", external_id=str(n))


async def _incidents(url: str) -> list[tuple[int, str, str]]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as session:
            rows = await session.execute(
                select(IncidentRow.id, IncidentRow.text, IncidentRow.status).order_by(
                    IncidentRow.id
                )
            )
            return [(i, text, str(status)) for i, text, status in rows]
    finally:
        await engine.dispose()


async def test_backup_and_restore_round_trip_an_sqlite_database_with_incidents(
    cli_env, database_url, engine, service, people, tmp_path, capsys
) -> None:
    for n in (1, 2, 3):
        await service.detect(_post(n))
    before = await _incidents(database_url)
    backup_file = tmp_path / "backups" / "bot-2026-05-20.sqlite3"
    backup_file.parent.mkdir()

    assert main(["backup", str(backup_file)]) == 0  # the bot's engine is open: online
    assert (
        capsys.readouterr().out == f"The database was backed up to {backup_file} (3 incidents).\n"
    )

    await service.detect(_post(4))  # life goes on after the backup...
    await engine.dispose()  # ...until the bot is stopped for the restore
    assert len(await _incidents(database_url)) == 4

    assert main(["restore", str(backup_file)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The database ") and "was restored from the backup (3 incidents" in out
    assert await _incidents(database_url) == before


async def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(
    cli_env, database_url, service, people, tmp_path, capsys
) -> None:
    await service.detect(_post(1))
    before = await _incidents(database_url)
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database at all " * 100, encoding="utf-8")

    assert main(["restore", str(junk)]) == 2
    assert capsys.readouterr().err == (
        f"The file {junk} is not a backup of this bot's database: the database was not changed.\n"
    )
    assert main(["restore", str(tmp_path / "missing.sqlite3")]) == 2
    assert "There is no file" in capsys.readouterr().err
    assert await _incidents(database_url) == before


def test_backup_of_postgresql_points_to_pg_dump(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot@db/incidents")
    monkeypatch.setenv("DEFAULT_LOCALE", "ru")
    assert main(["backup", str(tmp_path / "x.sqlite3")]) == 2
    assert "используйте pg_dump" in capsys.readouterr().err
    assert not (tmp_path / "x.sqlite3").exists()


async def test_backup_never_overwrites_the_database_itself(cli_env, database_url, capsys) -> None:
    path = database_url.removeprefix("sqlite+aiosqlite:///")
    assert main(["backup", path]) == 2
    assert "cannot be written over the database itself" in capsys.readouterr().err


async def test_restore_refuses_a_backup_made_by_a_newer_version(
    cli_env, database_url, tmp_path, capsys
) -> None:
    newer = tmp_path / "newer.sqlite3"
    assert main(["backup", str(newer)]) == 0
    with closing(sqlite3.connect(newer)) as db, db:
        db.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    capsys.readouterr()
    assert main(["restore", str(newer)]) == 2
    assert capsys.readouterr().err == (
        f"The backup {newer} was made by a newer version of the bot (schema"
        " 9999_from_the_future): update the bot, then restore.\n"
    )
