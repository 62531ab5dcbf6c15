"""Several processes on PostgreSQL tell each other at commit (NOTIFY): a directory write drops
every other process's snapshot (a rolled-back one drops none), new outbox rows wake the sender."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from db.engine import create_engine, create_session_factory
from db.notify import OUTBOX, listen, listen_for_changes
from db.outbox_repository import OutgoingMessage
from db.uow import UnitOfWork

pytestmark = pytest.mark.postgres
NEW_CHAT = -100999
NOW = datetime(2026, 4, 29, 7, 0, tzinfo=UTC)


class Boom(Exception):
    pass


@pytest.mark.parametrize("database_kind", [pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_a_directory_write_in_one_process_reaches_the_others_snapshot(
    database_url, sessions, people
) -> None:
    other_engine = create_engine(database_url)  # the other process: a cache of its own
    other = create_session_factory(other_engine)
    notices: list[int] = []
    changed = asyncio.Event()

    def on_change() -> None:
        notices.append(1)
        changed.set()

    stop = asyncio.Event()
    listener = asyncio.create_task(listen_for_changes(other_engine, stop, on_change))
    try:
        await asyncio.wait_for(changed.wait(), 10)  # listening (it drops its snapshot once)
        changed.clear()
        async with UnitOfWork(other) as uow:
            assert NEW_CHAT not in await uow.directory.organisation_chats("parks")
        before = len(notices)

        # A write that rolls back tells nobody; the committed one after it does, once.
        with pytest.raises(Boom):
            async with UnitOfWork(sessions) as uow:
                parks = await uow.directory.organisation_id("parks")
                assert parks is not None
                await uow.directory.bind_chat(NEW_CHAT - 1, "Откатится", parks)
                raise Boom
        async with UnitOfWork(sessions) as uow:
            await uow.directory.bind_chat(NEW_CHAT, "Новый чат", parks)
        await asyncio.wait_for(changed.wait(), 10)

        async with UnitOfWork(other) as uow:
            chats = await uow.directory.organisation_chats("parks")
        assert NEW_CHAT in chats
        assert NEW_CHAT - 1 not in chats
        assert len(notices) == before + 1
    finally:
        stop.set()
        await listener
        await other_engine.dispose()


@pytest.mark.parametrize("database_kind", [pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_new_outbox_rows_wake_a_sender_in_another_process(database_url, sessions) -> None:
    other_engine = create_engine(database_url)
    woken = asyncio.Event()
    stop = asyncio.Event()
    listener = asyncio.create_task(listen(other_engine, {OUTBOX: woken.set}, stop))
    try:
        await asyncio.wait_for(woken.wait(), 10)  # listening
        woken.clear()
        async with UnitOfWork(sessions) as uow:
            await uow.outbox.add([OutgoingMessage(chat_id=5, key="k", locale="ru",
                                                  not_before=NOW)], NOW)  # fmt: skip
        await asyncio.wait_for(woken.wait(), 10)
    finally:
        stop.set()
        await listener
        await other_engine.dispose()
