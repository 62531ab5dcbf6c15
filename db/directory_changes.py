"""A transaction that writes the directory (or the official pages kept beside it) marks the
cached snapshot stale: at once for its own reads, and again when it ends for everyone, with
a notice to the other processes at its commit (db/directory_cache.py, db/notify.py)."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from db.directory_cache import session_cache
from db.notify import DIRECTORY, notify_on_commit

_WATCHED = "directory_cache_watched"


def directory_written(session: AsyncSession) -> None:
    cache = session_cache(session)
    cache.changed()
    sync_session = session.sync_session
    notify_on_commit(sync_session, DIRECTORY)  # the other processes' caches (PostgreSQL)
    if sync_session.info.get(_WATCHED):
        return
    sync_session.info[_WATCHED] = True

    def ended(*_: object) -> None:
        sync_session.info.pop(_WATCHED, None)
        cache.changed()

    event.listen(sync_session, "after_commit", ended, once=True)
    event.listen(sync_session, "after_soft_rollback", ended, once=True)
