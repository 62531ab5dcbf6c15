"""The publication worker alone in a process, for the kill -9 test.

    DATABASE_URL=… VK_API_BASE=http://127.0.0.1:PORT/method \\
    python -m tests.support.publication_child

Stops cleanly on SIGTERM (SIGKILL is the point) or when the test that started it is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

from bot.clock import SystemClock
from bot.publication import PublicationWorker, VkClient, VkTokens
from bot.services.calendars import CalendarConfig
from bot.services.incidents import IncidentService
from bot.services.publication import PublicationService
from bot.services.publication_targets import PublicationConfig
from db.engine import create_engine, create_session_factory
from tests.support.fake_vk.server import GROUP_TOKEN
from workflow.calendar import CalendarOverrides
from workflow.policy import Policy

OFFICE = CalendarConfig("Europe/Moscow", "mon-fri 09:00-18:00", True, CalendarOverrides())


async def _orphaned(parent: int, stop: asyncio.Event) -> None:
    while os.getppid() == parent:  # noqa: ASYNC110 - nothing to wait on but polling
        await asyncio.sleep(0.5)
    stop.set()


async def main() -> None:
    engine = create_engine(os.environ["DATABASE_URL"])
    sessions = create_session_factory(engine)
    clock = SystemClock()
    incidents = IncidentService(sessions, clock, Policy(), OFFICE)
    config = PublicationConfig(vk_group_id=1, vk_wall=True)
    service = PublicationService(sessions, clock, incidents, config)
    vk = VkClient(os.environ["VK_API_BASE"], "5.199", timeout=60)
    worker = PublicationWorker(
        service, clock, vk=vk, tokens=VkTokens(group=GROUP_TOKEN), poll_interval=0.1
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    watchdog = asyncio.create_task(_orphaned(os.getppid(), stop))
    try:
        await worker.run(stop)
    finally:
        watchdog.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watchdog
        await vk.close()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
