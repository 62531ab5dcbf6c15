"""The directory cache: one snapshot per database, reloaded only after the directory changed.

Lifetime: a snapshot is loaded on first use and kept until the version counter moves. Every
directory write made through the directory service (import, /bind, /away, /back, an
invitation accepted, a username bound on first contact) calls `changed()` once its
transaction has committed (and once more if it rolled back, so that nothing read inside it
survives); the next reader then loads a fresh snapshot. A load records the version it
started at, so a change made while it ran is not hidden behind it.

This is one process's cache. Several processes on one PostgreSQL database each keep theirs:
a directory write also NOTIFYs the others at its commit, and each drops its snapshot on the
notice (db/notify.py).
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from db import directory_queries as queries
from db.directory_snapshot import DirectorySnapshot


class DirectoryCache:
    def __init__(self) -> None:
        self._version = 0
        self._snapshot: DirectorySnapshot | None = None
        self.loads = 0  # how many times the snapshot was read from the database

    @property
    def version(self) -> int:
        return self._version

    def changed(self) -> None:
        """The directory was written: the next reader loads it again."""
        self._version += 1

    async def snapshot(self, session: AsyncSession) -> DirectorySnapshot:
        current = self._snapshot
        if current is not None and current.version == self._version:
            return current
        version = self._version
        loaded = await queries.load_snapshot(session, version)
        self.loads += 1
        if version == self._version:
            self._snapshot = loaded
        return loaded


_caches: WeakKeyDictionary[Engine, DirectoryCache] = WeakKeyDictionary()


def cache_for(bind: AsyncEngine | Engine) -> DirectoryCache:
    """The cache of the database behind this engine (each engine its own: tests stay apart)."""
    engine = bind.sync_engine if isinstance(bind, AsyncEngine) else bind
    cache = _caches.get(engine)
    if cache is None:
        cache = _caches[engine] = DirectoryCache()
    return cache


def session_cache(session: AsyncSession) -> DirectoryCache:
    bind = session.bind
    if bind is None:
        raise RuntimeError("the session is bound to no engine")
    return cache_for(bind)  # type: ignore[arg-type]


def directory_changed(session: AsyncSession) -> None:
    """For writers outside the directory service (test seeds): drop the cached snapshot."""
    session_cache(session).changed()
