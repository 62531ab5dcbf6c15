"""kill -9 while VK is answering the request: the next worker repeats it with the same guid,
VK gives back the comment already made, and the incident is answered with one comment."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.publication.conftest import World, vk_comment_post
from tests.support.fake_vk import FakeVk
from workflow.model import IncidentStatus

ROOT = Path(__file__).resolve().parents[2]


def _worker(database_url: str, fake_vk: FakeVk) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "DATABASE_URL": database_url, "VK_API_BASE": fake_vk.url}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.publication_child"], cwd=ROOT, env=environment
    )


async def _until(condition, timeout: float = 120) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_p16_kill_9_mid_request_posts_one_comment(
    world: World, fake_vk: FakeVk, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("one database kind is enough for a process test")
    incident, _ = await world.approved(vk_comment_post())
    fake_vk.hold_next("wall.createComment")
    first = _worker(database_url, fake_vk)
    try:

        async def made() -> bool:
            return len(fake_vk.comments) == 1

        await _until(made)
        first.send_signal(signal.SIGKILL)
        await asyncio.to_thread(first.wait, 10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)
    fake_vk.released.set()
    assert (await world.incidents.get(incident.id)).status is IncidentStatus.IN_WORK

    second = _worker(database_url, fake_vk)
    try:

        async def answered() -> bool:
            return (await world.incidents.get(incident.id)).status is IncidentStatus.ANSWERED

        await _until(answered)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.to_thread(second.wait, 20)
    calls = fake_vk.calls_of("wall.createComment")
    assert len(calls) == 2 and calls[0].params["guid"] == calls[1].params["guid"]
    assert len(fake_vk.comments) == 1
    assert second.returncode == 0
