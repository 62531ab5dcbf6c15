"""kill -9 in the middle of a burst: nothing lost, nothing doubled beyond what was in flight.

A child process runs only the sender (tests/support/outbox_child.py) against the fake Bot
API server in this process; it is killed twice mid-burst and another one takes over.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from db.engine import create_engine, create_session_factory
from db.models import OutboxRow
from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.outbox_helpers import add_rows, delivered_keys, duplicates, in_order, outbox_rows

ROOT = Path(__file__).resolve().parents[2]
CHATS = [1, 2, 3, 4, 5, -6, -7, -8]
MESSAGES = 200
LIMITS = {"overall": [40, 1.0], "per_group": [30, 1.0], "per_chat": [1, 0.05], "margin": 0.02}


class ForkServer:
    """Starts sender processes by forking one that has already imported everything."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    async def _ask(self, line: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return (await asyncio.to_thread(self.process.stdout.readline)).strip()

    async def start(self, environment: dict[str, str]) -> int:
        return int(await self._ask(f"go {json.dumps(environment)}"))

    async def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        await self._ask(f"wait {pid}")

    async def stop(self, pid: int) -> int:
        os.kill(pid, signal.SIGTERM)
        return int(await asyncio.wait_for(self._ask(f"wait {pid}"), 20))


@pytest.fixture(scope="module")
def fork_server() -> Iterator[ForkServer]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.outbox_child", "--fork-server"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline() == "ready\n"
    try:
        yield ForkServer(process)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(10)
        assert process.stdout is not None
        process.stdout.close()


def _delivered(server: FakeTelegram) -> int:
    return sum(len(server.bot_messages(chat)) for chat in CHATS)


@pytest.mark.parametrize(
    ("database_kind", "in_flight"),
    [("sqlite", 1), ("sqlite", 4), pytest.param("postgres", 4, marks=pytest.mark.postgres)],
    indirect=["database_kind"],
)
async def test_kill_9_mid_burst_loses_nothing(
    database_url: str, fake_telegram: FakeTelegram, fork_server: ForkServer, in_flight: int
) -> None:
    engine = create_engine(database_url)
    factory = create_session_factory(engine)
    per_chat = MESSAGES // len(CHATS)
    expected = {chat: [f"c{chat}-{n:03d}" for n in range(per_chat)] for chat in CHATS}
    await add_rows(
        factory, [(chat, keys[n]) for n in range(per_chat) for chat, keys in expected.items()]
    )
    environment = {
        "DATABASE_URL": database_url,
        "BOT_API_BASE": fake_telegram.url,
        "BOT_TOKEN": TOKEN,
        "OUTBOX_LIMITS": json.dumps(LIMITS),
        "OUTBOX_MAX_IN_FLIGHT": str(in_flight),
    }
    kills = 0
    pid = await fork_server.start(environment)
    try:
        for share in (0.3, 0.65):
            await fake_telegram.wait_until(
                lambda s=share: _delivered(fake_telegram) >= MESSAGES * s, 60
            )
            await fork_server.kill(pid)
            kills += 1
            pid = await fork_server.start(environment)

        async def settled() -> bool:
            async with factory() as session:
                pending = await session.scalar(
                    sa.select(sa.func.count()).where(OutboxRow.state != "sent")
                )
            return pending == 0

        async with asyncio.timeout(60):
            while not await settled():  # noqa: ASYNC110 - the database is what is polled
                await asyncio.sleep(0.1)
        rows = await outbox_rows(factory)  # read before the engine is disposed
    finally:
        returncode = await fork_server.stop(pid)
        await engine.dispose()

    assert returncode == 0  # the last one stopped cleanly on SIGTERM
    assert kills == 2
    for chat, keys in expected.items():
        assert in_order(delivered_keys(fake_telegram, chat), keys), chat
    doubled = duplicates(fake_telegram, CHATS)
    # Only a request on the way at a kill can go out twice, and only once more.
    assert sum(count - 1 for count in doubled.values()) <= kills * in_flight, doubled
    # Every row points at a message that shows it.
    for row in rows:
        message = fake_telegram.message(row.chat_id, row.telegram_message_id or 0)
        assert (message.text or "").startswith(f"{row.key} ")
