"""Official pages end to end: a manager's /pages shows the registry, and the Thursday quota
reminder reaches the page's responsible official through the fake Bot API (the pages job
run on a clock moved to Thursday, writing into the bot's database)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.pages.jobs import PageJobs
from bot.services.calendars import CalendarConfig
from db.engine import create_session_factory
from db.models_pages import PagePost
from tests.e2e import harness
from tests.e2e.harness import MANAGER, PARKS_1, ROADS_1, BotWorld
from workflow.alerts import AlertPolicy
from workflow.calendar import CalendarOverrides
from workflow.pages import PagePolicy

CHANNEL = -1001777000111
PAGES = """
pages:
  - organisation: roads
    network: vk
    url: https://vk.com/club218765432
    vk_group_id: 218765432
    responsible: roads1
    authorised: [roads2]
    state_mark: true
    weekly_quota: 3
  - organisation: roads
    network: telegram
    url: https://t.me/roads_news
    telegram_chat_id: -1001777000111
    responsible: roads1
  - organisation: parks
    network: ok
    url: https://ok.ru/group/70000001
    kind: head
    responsible: parks1
"""


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[BotWorld]:
    world = BotWorld(tmp_path, directory=harness.DIRECTORY + PAGES)
    await world.start()
    try:
        yield world
    finally:
        await world.stop()


async def test_manager_sees_the_registry_and_the_thursday_reminder_arrives(
    world: BotWorld,
) -> None:
    world.fake.user_message(MANAGER, "/pages")
    registry = await world.wait_bot_text(MANAGER, "Реестр официальных страниц")
    text = registry.content or ""
    assert "https://vk.com/club218765432" in text and "https://ok.ru/group/70000001" in text
    assert "Управление дорожного хозяйства" in text and "Дорогин Пётр" in text

    assert world.engine is not None
    thursday = ManualClock(datetime(2026, 5, 21, 9, 0, tzinfo=ZoneInfo("Europe/Moscow")))
    config = CalendarConfig("Europe/Moscow", "mon-fri 09:00-18:00", True, CalendarOverrides())
    jobs = PageJobs(
        create_session_factory(world.engine), thursday, config, PagePolicy(), AlertPolicy()
    )
    assert await jobs.run() == 3  # no page has anything this week
    assert await jobs.run() == 0  # once
    reminder = await world.wait_bot_text(ROADS_1, "Страница https://vk.com/club218765432")
    assert "0 публикаций из 3" in (reminder.content or "")
    assert "нужно ещё 3" in (reminder.content or "")
    await world.wait_bot_text(ROADS_1, "Страница https://t.me/roads_news")
    await world.wait_bot_text(PARKS_1, "0 публикаций из 5")  # the head's page: 5 a week


async def test_a_channel_post_counts_for_its_page(world: BotWorld) -> None:
    requested = world.fake.calls_of("getUpdates")[-1].params.get("allowed_updates")
    assert "channel_post" in str(requested)
    world.fake._enqueue_update(  # the channel's own post, as Telegram sends it to a member
        "channel_post",
        {
            "message_id": 41,
            "date": int(time.time()),
            "chat": {"id": CHANNEL, "type": "channel", "title": "Дороги", "username": "roads_news"},
            "text": "Ремонт моста завершён",
        },
    )
    assert world.engine is not None

    async def counted() -> list[str]:
        async with world.engine.connect() as connection:  # type: ignore[union-attr]
            return list((await connection.execute(select(PagePost.url))).scalars())

    for _ in range(200):
        if await counted():
            break
        await asyncio.sleep(0.05)
    assert await counted() == ["https://t.me/roads_news/41"]
