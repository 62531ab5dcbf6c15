"""Running the outbox sender against the fake Bot API server in tests, and waiting for it to
settle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox import (
    OutboxSender,
    Renderer,
    SenderLimits,
    SenderOptions,
    Window,
)
from db.models import OutboxRow
from tests.support.fake_telegram import FakeTelegram
from tests.support.outbox_helpers import (
    PlainRenderer,
)

# Faster than Telegram's, to keep the tests short; what is checked is that they hold.
FAST = SenderLimits(
    overall=Window(50, 1.0), per_group=Window(5, 1.5), per_chat=Window(1, 0.1), margin=0.05
)

OPTIONS = SenderOptions(poll_interval=0.2, backoff_base=0.05, backoff_max=0.4)

# Requests are timed on arrival here, the sender times them on departure: allow some jitter
# on a loaded machine (on top of the sender's own margin).
SLACK = 0.05

sqlite_only = pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)


@asynccontextmanager
async def running_sender(
    factory: async_sessionmaker[AsyncSession],
    server: FakeTelegram,
    *,
    limits: SenderLimits = FAST,
    options: SenderOptions = OPTIONS,
    renderer: Renderer | None = None,
    **kwargs: object,
) -> AsyncIterator[OutboxSender]:
    bot = server.bot()
    sender = OutboxSender(
        factory,
        bot,
        renderer or PlainRenderer(),
        limits,
        options=options,
        **kwargs,  # type: ignore[arg-type]
    )
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        yield sender
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await bot.session.close()


async def wait_settled(factory: async_sessionmaker[AsyncSession], seconds: float = 30.0) -> None:
    """Until no row is pending."""
    async with asyncio.timeout(seconds):
        while True:
            async with factory() as session:
                pending = await session.scalar(
                    sa.select(sa.func.count()).where(OutboxRow.state == "pending")
                )
            if not pending:
                return
            await asyncio.sleep(0.05)


async def drain(
    factory: async_sessionmaker[AsyncSession],
    server: FakeTelegram,
    *,
    renderer: Renderer | None = None,
    **kwargs: object,
) -> None:
    bot = server.bot()
    try:
        sender = OutboxSender(
            factory,
            bot,
            renderer or PlainRenderer(),
            FAST,
            options=OPTIONS,
            **kwargs,  # type: ignore[arg-type]
        )
        async with asyncio.timeout(20):
            await sender.drain()
    finally:
        await bot.session.close()


def assert_retry_after_honoured(server: FakeTelegram) -> None:
    for index, call in enumerate(server.calls):
        if call.outcome != "retry_after":
            continue
        retry_after = call.retry_after or 0
        following = [c for c in server.calls[index + 1 :] if c.chat_id == call.chat_id]
        if following:
            assert following[0].at >= call.at + retry_after - SLACK, (call, following[0])
