"""SQLite statements reach aiosqlite's thread in one trip (db/sqlite_driver.py), and behave
as through SQLAlchemy's own adapter: rows, row counts, ids, errors, transactions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from db import sqlite_driver
from db.engine import create_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'trip.sqlite3'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


async def test_a_statement_is_one_trip_to_the_thread(engine, monkeypatch) -> None:
    assert sqlite_driver.available()
    trips: list[object] = []
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        trips.append(fn)
        return await original(self, fn, *args, **kwargs)

    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # the connection's own set-up first
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        rows = (await connection.execute(text("SELECT 1 UNION ALL SELECT 2"))).all()
        statement_trips = len(trips)
    assert [tuple(row) for row in rows] == [(1,), (2,)]
    assert statement_trips == 1  # the stock adapter makes four: cursor, execute, fetch, close


async def test_rows_counts_ids_and_many_as_before(engine) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert inserted.lastrowid == 1
        await connection.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}])
        changed = await connection.execute(text("UPDATE t SET v = v || '!' WHERE id > 1"))
        assert changed.rowcount == 2
        returned = await connection.execute(text("INSERT INTO t (v) VALUES ('d') RETURNING id"))
        assert returned.scalar_one() == 4
    async with engine.connect() as connection:
        values = (await connection.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
    assert values == ["a", "b!", "c!", "d"]


async def test_errors_and_rollback_as_before(engine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
    with pytest.raises(IntegrityError, match="UNIQUE constraint failed"):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t (v) VALUES ('b')"))
            await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
    async with engine.connect() as connection:
        values = (await connection.execute(text("SELECT v FROM t"))).scalars().all()
    assert values == ["a"]  # 'b' went with the rolled-back transaction


async def test_ending_a_transaction_goes_to_the_thread_only_when_one_is_open(
    engine, monkeypatch
) -> None:
    trips: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        trips.append(getattr(fn, "__name__", "statement"))
        return await original(self, fn, *args, **kwargs)

    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # the connection's own set-up first
    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    async with engine.begin() as connection:  # reads only: commit, and the pool's rollback
        await connection.execute(text("SELECT count(*) FROM t"))
    assert trips == ["_run"]  # the statement alone: nothing was open to end
    trips.clear()
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO t (v) VALUES ('kept')"))
    assert trips == ["_run", "commit"]  # the write's commit still goes; the reset does not
    trips.clear()
    with pytest.raises(IntegrityError, match="UNIQUE constraint failed"):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO t (v) VALUES ('gone')"))
            await connection.execute(text("INSERT INTO t (v) VALUES ('kept')"))
    assert trips == ["_run", "_run", "rollback"]
    async with engine.connect() as connection:
        values = (await connection.execute(text("SELECT v FROM t"))).scalars().all()
    assert values == ["kept"]  # committed once, and the failed one's row rolled back
