"""The fake server for pytest: a context manager and the `fake_telegram` and `fake_bot`
fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiogram import Bot

from tests.support.fake_telegram.server import FakeTelegram


@asynccontextmanager
async def running_fake_telegram(**kwargs: Any) -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(**kwargs)
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A running fake Bot API server (register with `pytest_plugins` or import it)."""
    async with running_fake_telegram() as server:
        yield server


@pytest.fixture
async def fake_bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    """An aiogram Bot pointed at `fake_telegram`."""
    bot = fake_telegram.bot()
    try:
        yield bot
    finally:
        await bot.session.close()
