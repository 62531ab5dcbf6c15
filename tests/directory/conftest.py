"""Fixtures of the directory tests: the example spec and a second, empty database."""

from __future__ import annotations

import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.directory import (
    DirectorySpec,
    load_directory,
)
from db.engine import create_engine
from db.migrate import upgrade
from tests.directory.sync_helpers import EXAMPLE


@pytest.fixture
def example() -> DirectorySpec:
    return load_directory(EXAMPLE)


@pytest.fixture
async def fresh_engine(database_kind: str, tmp_path: Path, request: pytest.FixtureRequest):
    """A second, empty and migrated database of the same kind."""
    drop = None
    if database_kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        server = make_url(request.getfixturevalue("postgres_server_url"))
        plain = server.set(drivername="postgresql").render_as_string(hide_password=False)
        name = f"fresh_{uuid.uuid4().hex[:16]}"
        connection = await asyncpg.connect(plain)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        url = server.set(database=name).render_as_string(hide_password=False)
        drop = (plain, name)
    engine = create_engine(url)
    await upgrade(engine)
    yield engine
    await engine.dispose()
    if drop is not None:
        connection = await asyncpg.connect(drop[0])
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{drop[1]}" WITH (FORCE)')
        finally:
            await connection.close()
