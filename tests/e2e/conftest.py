from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.harness import BotWorld


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[BotWorld]:
    world = BotWorld(tmp_path)
    await world.start()
    try:
        yield world
    finally:
        await world.stop()
