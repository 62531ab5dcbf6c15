"""Delivery goes on while the intake writes incidents into the same SQLite database."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.outbox import OutboxSender, SenderLimits, SenderOptions, Window
from bot.services.incidents import IncidentService
from db.outbox_repository import OutboxState
from tests.support.directory_seed import SeededDirectory
from tests.support.fake_telegram import FakeTelegram
from tests.support.outbox_helpers import PlainRenderer, add_rows, delivered_keys, outbox_rows
from workflow.model import Post, Source

START = datetime(2026, 4, 29, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
FAST = SenderLimits(
    overall=Window(100, 1.0), per_group=Window(100, 1.0), per_chat=Window(1, 0.02), margin=0.01
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_the_sender_delivers_while_the_intake_writes(
    sessions: async_sessionmaker[AsyncSession],
    service: IncidentService,
    people: SeededDirectory,
    clock: ManualClock,
    fake_telegram: FakeTelegram,
) -> None:
    chats = [10_000 + n for n in range(30)]
    await add_rows(sessions, [(chat, f"m{chat}") for chat in chats])
    bot = fake_telegram.bot()
    sender = OutboxSender(
        sessions,
        bot,
        PlainRenderer(),
        FAST,
        options=SenderOptions(poll_interval=0.05),
        clock=clock,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    delivered_during_intake: list[int] = []

    async def intake() -> None:
        for number in range(120):
            post = Post(Source.VK, f"https://vk.com/wall-1_{number}", f"жалоба {number}")
            await service.detect(post)
            delivered_during_intake.append(
                sum(1 for chat in chats if delivered_keys(fake_telegram, chat))
            )

    try:
        await intake()
        await fake_telegram.wait_until(
            lambda: all(delivered_keys(fake_telegram, chat) for chat in chats), timeout=20
        )
    finally:
        stop.set()
        await asyncio.wait_for(running, 15)
        await bot.session.close()
    # Every waiting message went out while incidents were still being written: the sender's
    # short transactions did not wait for the intake to finish, nor the intake for it.
    assert delivered_during_intake[-1] == len(chats), delivered_during_intake
    assert len(await outbox_rows(sessions)) > len(chats)
    assert {r.state for r in await outbox_rows(sessions) if r.chat_id in chats} == {
        OutboxState.SENT
    }
