"""Shared fixtures: a database per test on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.services.calendars import CalendarConfig
from bot.services.incidents import IncidentService
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from tests.support.directory_seed import SeededDirectory, seed_directory
from tests.support.pg_server import find_pg_bin, running_postgres
from workflow.calendar import CalendarOverrides
from workflow.policy import Policy

# The centre's office in the service-level tests: Moscow, Mon–Fri 09:00–18:00, lunch 13–14.
MOSCOW_OFFICE = CalendarConfig(
    timezone="Europe/Moscow",
    office_hours="mon-fri 09:00-18:00 break 13:00-14:00",
    always=False,
    overrides=CalendarOverrides(),
)

# CI runs the same examples every time (a red CI must be reproducible); developers' runs
# keep exploring new ones. No example deadline anywhere: these machines are shared.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """URL of the server's maintenance database; tests get databases of their own."""
    given = os.environ.get("TEST_POSTGRES_URL")
    if given:
        yield given
        return
    if find_pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must test PostgreSQL, but no PostgreSQL server binaries were found")
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    with running_postgres() as url:
        yield url


def _plain_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(server_url: str, sql: str) -> None:
    connection = await asyncpg.connect(_plain_dsn(server_url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_database_url(
    database_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A database with no tables yet, on each of the two kinds (a fresh one per test)."""
    if database_kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    server_url = request.getfixturevalue("postgres_server_url")
    name = f"test_{uuid.uuid4().hex[:16]}"
    # A sync fixture runs outside the test's event loop, so a short loop of its own is fine.
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def database_url(empty_database_url: str) -> AsyncIterator[str]:
    """A database migrated to head."""
    engine = create_engine(empty_database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    yield empty_database_url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def people(sessions: async_sessionmaker[AsyncSession]) -> SeededDirectory:
    async with sessions() as session, session.begin():
        return await seed_directory(session)


@pytest.fixture
def service(sessions: async_sessionmaker[AsyncSession], clock: ManualClock) -> IncidentService:
    """The incident service on the test database; each test package sets its own `clock`."""
    return IncidentService(sessions, clock, Policy(), MOSCOW_OFFICE)
