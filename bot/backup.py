"""`python -m bot backup FILE` and `python -m bot restore FILE` for the SQLite database.

Both go through SQLite's online backup API, which copies a consistent snapshot page by page
while the bot keeps running (WAL included), so a backup needs no downtime. A restore
replaces the database's content with the file's: stop the bot first, it keeps a cached
directory. PostgreSQL has its own tools (`pg_dump`, `pg_restore`; README, "Keeping the data").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from db.migrate import revisions

Say = Callable[..., str]  # Translator.text bound to a locale: key and parameters


class BackupError(Exception):
    """A problem the administrator can fix; the message is already in their language."""


def sqlite_path(database_url: str, say: Say) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(say("ops.backup_postgres"))
    if not url.database or url.database == ":memory:":
        raise BackupError(say("ops.backup_no_file", url=database_url))
    return Path(url.database)


def backup(database_url: str, target: Path, say: Say) -> str:
    """Copy the database into `target` (replaced when it exists); returns the report."""
    source = sqlite_path(database_url, say)
    if not source.is_file():
        raise BackupError(say("ops.backup_no_database", path=source))
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError(say("ops.backup_same_file", path=target))
    partial = target.with_name(target.name + ".partial")
    try:
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)
        partial.replace(target)  # a half-written file never takes the backup's name
    except (sqlite3.Error, OSError) as error:
        partial.unlink(missing_ok=True)
        raise BackupError(say("ops.backup_failed", path=target, error=error)) from error
    return say("ops.backup_done", path=target, incidents=_incidents(target))


def restore(database_url: str, source: Path, say: Say) -> str:
    """Replace the database's content with a backup file's, after checking the file."""
    target = sqlite_path(database_url, say)
    if not source.is_file():
        raise BackupError(say("ops.restore_no_file", path=source))
    revision = _checked_revision(source, say)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(target, timeout=10)) as dst,
        ):
            src.backup(dst)
    except sqlite3.Error as error:
        raise BackupError(say("ops.restore_failed", path=target, error=error)) from error
    return say("ops.restore_done", path=target, incidents=_incidents(target), revision=revision)


def _checked_revision(path: Path, say: Say) -> str:
    """The schema revision of a backup file; an error unless it is a whole database of
    this bot at a revision this version knows (newer ones would not start)."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            if db.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(say("ops.restore_damaged", path=path))
            row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(say("ops.restore_not_backup", path=path)) from error
    if row is None:
        raise BackupError(say("ops.restore_not_backup", path=path))
    revision = str(row[0])
    if revision not in revisions():
        raise BackupError(say("ops.restore_newer", path=path, revision=revision))
    return revision


def _incidents(path: Path) -> Any:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        return db.execute("SELECT count(*) FROM incidents").fetchone()[0]
