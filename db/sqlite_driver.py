"""SQLite statements in one trip to aiosqlite's thread instead of four.

aiosqlite runs every call of the sqlite3 API on its own thread: SQLAlchemy's adapter makes
a cursor, executes, fetches and closes it, four round trips, each a hand-over of the
interpreter between two threads. On a press that was most of the bot's CPU. Here the
whole statement runs as one function on that thread; what SQLAlchemy reads back (the rows,
the description, the row count) is kept on the adapter's cursor.

Only how a statement reaches the thread changes: the same connection, thread, errors and
transactions as aiosqlite's. `create_engine` (db/engine.py) uses it for `sqlite+aiosqlite`
URLs; with an aiosqlite that lacks the one entry point used, the stock adapter is kept.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable
from threading import Thread
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

# What a statement leaves for SQLAlchemy: description, rows, row count, last row id.
Statement = tuple[Any, list[Any] | None, int, int | None]


def available() -> bool:
    """Whether this aiosqlite lets a function run on the connection's thread."""
    return callable(getattr(aiosqlite.Connection, "_execute", None))


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> Statement:
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, parameters if parameters is not None else ())
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # No aiosqlite cursor: each statement makes and closes its own on the thread.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = {}
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _trip(self, operation: Any, parameters: Any, *, many: bool) -> None:
        run: Callable[..., Statement] = _run
        async with self._adapt_connection._execute_mutex:
            connection = self._connection
            description, rows, rowcount, lastrowid = await connection._execute(
                run, connection._conn, operation, parameters, many
            )
        self._description = description
        self._rowcount = rowcount
        self._lastrowid = lastrowid
        self._rows = collections.deque(rows or ())

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._trip(operation, seq_of_parameters, many=True)

    async def _async_soft_close(self) -> None:
        return  # nothing is held open on the thread

    def close(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor

    def _open_transaction(self) -> bool:
        """Whether SQLite has a transaction open on this connection. sqlite3 reads this flag
        from any thread; nothing else runs on the connection meanwhile (the execute mutex,
        and SQLAlchemy ends a transaction only between statements)."""
        connection = self._connection._connection
        return connection is not None and connection.in_transaction

    def commit(self) -> None:
        # Nothing open (a unit of work that only read: sqlite3 begins before the first
        # write): sqlite3 would do nothing, after a round trip to the thread.
        if self._open_transaction():
            super().commit()

    def rollback(self) -> None:
        # The same for the rollback that returns every connection to the pool.
        if self._open_transaction():
            super().rollback()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        creator = kw.pop("async_creator_fn", None)
        if creator:
            connection = creator(*arg, **kw)
        else:
            connection = self.aiosqlite.connect(*arg, **kw)
            thread = connection if isinstance(connection, Thread) else connection._thread
            thread.daemon = True  # as SQLAlchemy's own adapter: never hold the process up
        return OneTripConnection(self, await_(connection))


def dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    """The DBAPI adapter to give SQLAlchemy as `module=` for a sqlite+aiosqlite engine."""
    return OneTripDBAPI(aiosqlite, sqlite3)
