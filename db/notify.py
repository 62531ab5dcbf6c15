"""Telling the other processes at commit (PostgreSQL LISTEN/NOTIFY): several processes share
one database and each keeps things in memory that another's commit makes stale.

- `DIRECTORY`: each process keeps its own snapshot of the directory (db/directory_cache.py).
  A transaction that writes the directory also runs `NOTIFY`, which the server delivers at
  commit and drops on rollback; every process listens (`listen_for_changes`) and drops its
  snapshot on each notice, so the next reader loads the new directory. A reader may see the
  old one for the few milliseconds between the commit and the notice.
- `OUTBOX`: a transaction that writes outbox rows tells the sender, which may run in another
  process (bot/outbox/election.py), to look now rather than at its next poll.

A listening connection that fails is opened again, and the listener called once, since
notices may have been missed meanwhile. SQLite has one process: nothing to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from db.directory_cache import cache_for

log = logging.getLogger(__name__)

DIRECTORY = "incident_bot_directory"
OUTBOX = "incident_bot_outbox"
CHANNELS = (DIRECTORY, OUTBOX)


def notify_on_commit(sync_session: Session, channel: str) -> None:
    """Have this transaction notify `channel` (once, just before it commits)."""
    assert channel in CHANNELS  # the name goes into the SQL text
    bind = sync_session.get_bind()
    pending = f"notify_pending:{channel}"
    if bind.dialect.name != "postgresql" or sync_session.info.get(pending):
        return
    sync_session.info[pending] = True

    def before_commit(session: Session) -> None:
        session.info.pop(pending, None)
        session.execute(text(f"NOTIFY {channel}"))

    def rolled_back(session: Session, *_: object) -> None:
        session.info.pop(pending, None)
        with contextlib.suppress(Exception):
            event.remove(session, "before_commit", before_commit)

    event.listen(sync_session, "before_commit", before_commit, once=True)
    event.listen(sync_session, "after_soft_rollback", rolled_back, once=True)


def directory_listener(
    engine: AsyncEngine, on_change: Callable[[], None] | None = None
) -> Callable[[], None]:
    """What to do on a DIRECTORY notice: drop this process's directory snapshot, and call
    `on_change` (caches built from the directory)."""
    cache = cache_for(engine)

    def changed() -> None:
        cache.changed()
        if on_change is not None:
            on_change()

    return changed


async def listen_for_changes(
    engine: AsyncEngine,
    stop: asyncio.Event,
    on_change: Callable[[], None] | None = None,
    *,
    retry: float = 2.0,
) -> None:
    """Drop this process's directory snapshot whenever a directory write commits (and call
    `on_change`) until `stop` is set."""
    await listen(engine, {DIRECTORY: directory_listener(engine, on_change)}, stop, retry=retry)


def _callback(function: Callable[[], None]) -> Callable[..., None]:
    """asyncpg calls a listener with (connection, pid, channel, payload)."""

    def noticed(*_: Any) -> None:
        function()

    return noticed


async def listen(
    engine: AsyncEngine,
    channels: Mapping[str, Callable[[], None]],
    stop: asyncio.Event,
    *,
    retry: float = 2.0,
) -> None:
    """Call each channel's function on every notice of it, and all of them on every
    (re)connection, until `stop` is set; one connection for all. Nothing on SQLite."""
    if engine.dialect.name != "postgresql":
        return
    handlers = {channel: (_callback(function), function) for channel, function in channels.items()}
    while not stop.is_set():
        try:
            async with engine.connect() as connection:
                raw = await connection.get_raw_connection()
                driver = raw.driver_connection
                assert driver is not None
                for channel, (noticed, _function) in handlers.items():
                    await driver.add_listener(channel, noticed)
                for _noticed, function in handlers.values():
                    function()  # notices may have been missed before this point
                try:
                    while not stop.is_set():
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop.wait(), retry)
                        await connection.execute(text("SELECT 1"))  # still connected?
                        await connection.commit()
                finally:
                    for channel, (noticed, _function) in handlers.items():
                        with contextlib.suppress(Exception):
                            await driver.remove_listener(channel, noticed)
        except Exception:
            log.warning("listening for %s failed; trying again", ", ".join(channels))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), retry)
