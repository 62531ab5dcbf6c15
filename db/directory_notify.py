"""The directory cache across processes (PostgreSQL): a write tells the others at its commit.

Each process keeps its own snapshot of the directory (db/directory_cache.py). On PostgreSQL a
transaction that writes the directory also runs `NOTIFY incident_bot_directory`, which the
server delivers at commit and drops on rollback; every process listens on a connection of its
own (`listen_for_changes`) and drops its snapshot on each notice, so the next reader loads
the new directory. A reader may see the old one for the few milliseconds between the commit
and the notice. A listening connection that fails is opened again, and the snapshot dropped,
since notices may have been missed meanwhile. SQLite has one process: nothing to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from db.directory_cache import cache_for

log = logging.getLogger(__name__)

CHANNEL = "incident_bot_directory"
_NOTIFYING = "directory_notify_pending"


def notify_on_commit(sync_session: Session) -> None:
    """Have this transaction announce a directory change (once, just before it commits)."""
    bind = sync_session.get_bind()
    if bind.dialect.name != "postgresql" or sync_session.info.get(_NOTIFYING):
        return
    sync_session.info[_NOTIFYING] = True

    def before_commit(session: Session) -> None:
        session.info.pop(_NOTIFYING, None)
        session.execute(text(f"NOTIFY {CHANNEL}"))

    def rolled_back(session: Session, *_: object) -> None:
        session.info.pop(_NOTIFYING, None)
        with contextlib.suppress(Exception):
            event.remove(session, "before_commit", before_commit)

    event.listen(sync_session, "before_commit", before_commit, once=True)
    event.listen(sync_session, "after_soft_rollback", rolled_back, once=True)


async def listen_for_changes(
    engine: AsyncEngine,
    stop: asyncio.Event,
    on_change: Callable[[], None] | None = None,
    *,
    retry: float = 2.0,
) -> None:
    """Drop this process's directory snapshot whenever another commits a change; also call
    `on_change` (caches built from the directory). Returns when `stop` is set."""
    if engine.dialect.name != "postgresql":
        return
    cache = cache_for(engine)

    def changed(*_: Any) -> None:
        cache.changed()
        if on_change is not None:
            on_change()

    while not stop.is_set():
        try:
            async with engine.connect() as connection:
                raw = await connection.get_raw_connection()
                driver = raw.driver_connection
                assert driver is not None
                await driver.add_listener(CHANNEL, changed)
                changed()  # notices may have been missed before this point
                try:
                    while not stop.is_set():
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(stop.wait(), retry)
                        await connection.execute(text("SELECT 1"))  # still connected?
                        await connection.commit()
                finally:
                    with contextlib.suppress(Exception):
                        await driver.remove_listener(CHANNEL, changed)
        except Exception:
            log.warning("directory: listening for changes failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), retry)
