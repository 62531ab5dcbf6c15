"""Every migration steps up, down and up again ("stairway"), on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from db.engine import create_engine
from db.migrate import downgrade, revisions, upgrade
from db.models import Base


async def _tables(engine) -> set[str]:
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return set(names) - {"alembic_version"}


async def test_migrations_stairway_up_down_up(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    try:
        previous = "base"
        for revision in revisions():
            await upgrade(engine, revision)
            await downgrade(engine, previous)
            await upgrade(engine, revision)
            previous = revision
        assert await _tables(engine) == set(Base.metadata.tables)
        await downgrade(engine, "base")
        assert await _tables(engine) == set()
    finally:
        await engine.dispose()


async def test_migrations_match_the_models(database_url: str) -> None:
    """Autogenerate finds nothing to do: the models and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}),
                    Base.metadata,
                )
            )
    finally:
        await engine.dispose()
    assert diff == []
