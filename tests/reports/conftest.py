from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from tests.reports.incident_rows import add_org, add_rows
from tests.reports.november import NOW, november
from tests.support.directory_seed import SeededDirectory


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def november_rows(
    sessions: async_sessionmaker[AsyncSession], people: SeededDirectory
) -> list[int]:
    async with sessions() as session, session.begin():
        await add_org(session, "water", "Водоканал")
        return await add_rows(session, november())
