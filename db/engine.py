"""Engine and session factory for SQLite (embedded default, WAL) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from asyncpg import PostgresError
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

from db import sqlite_driver


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while the one writer commits; busy_timeout makes a second
    # writer wait instead of failing at once with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {}
        if parsed.get_driver_name() == "aiosqlite" and sqlite_driver.available():
            options["module"] = sqlite_driver.dbapi()
        engine = create_async_engine(url, echo=echo, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class DatabaseUnreachable(Exception):
    """The database did not answer (or refused us); the message says why, in one line."""


async def check_connection(engine: AsyncEngine, timeout: float = 15.0) -> None:  # noqa: ASYNC109
    """One round trip to the database, so that start-up fails early and plainly."""
    try:
        async with asyncio.timeout(timeout):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        raise DatabaseUnreachable(f"no answer within {timeout:g} s") from None
    except (OSError, DBAPIError, PostgresError) as error:  # asyncpg's may come unwrapped
        raise DatabaseUnreachable(_reason(error)) from None


def _reason(error: BaseException) -> str:
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    words = " ".join(str(cause).split()) or type(cause).__name__
    return words[:300]
