"""SQLite: writing units of work of one process take turns instead of racing for the file
lock; readers do not wait. PostgreSQL needs no turn."""

from __future__ import annotations

import asyncio

import pytest

from db.uow import UnitOfWork


async def _overlap(sessions, *, second_writes: bool) -> list[str]:
    """The first writer holds its unit of work across real database round trips while the
    second one tries to open its own; returns the order of what happened."""
    order: list[str] = []
    second_started = asyncio.Event()

    async def first() -> None:
        async with UnitOfWork(sessions, write=True) as uow:
            order.append("first in")
            await second_started.wait()
            for _ in range(3):
                await uow.directory.organisations()
                await uow.incidents.find_by_url("https://vk.com/wall-1_1")
            order.append("first out")

    async def second() -> None:
        second_started.set()
        async with UnitOfWork(sessions, write=second_writes):
            order.append("second in")

    await asyncio.gather(first(), second())
    return order


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_sqlite_writers_take_turns(sessions, people) -> None:
    assert await _overlap(sessions, second_writes=True) == ["first in", "first out", "second in"]


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_sqlite_readers_do_not_wait_for_a_writer(sessions, people) -> None:
    assert await _overlap(sessions, second_writes=False) == ["first in", "second in", "first out"]


@pytest.mark.parametrize(
    "database_kind", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_postgres_writers_need_no_turn(sessions, people) -> None:
    assert await _overlap(sessions, second_writes=True) == ["first in", "second in", "first out"]
