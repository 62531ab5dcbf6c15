"""Fixtures of the delivery tests: the fake Bot API server, a Bot pointed at it, a session
factory."""

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import create_session_factory
from tests.support.fake_telegram import fake_bot, fake_telegram

__all__ = ["fake_bot", "fake_telegram"]


@pytest.fixture
def factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)
