"""REDIS_URL: a guided step begun on one process goes on on another, and two updates of one
person in one chat are handled one after the other across processes."""

from __future__ import annotations

import asyncio
import uuid

from aiogram.fsm.storage.base import StorageKey

from bot.redis_support import STATE_TTL, redis_events_isolation, redis_fsm_storage


def _key() -> StorageKey:
    # A fresh person each run: the session's Redis is shared by the tests.
    return StorageKey(bot_id=42, chat_id=-100, user_id=uuid.uuid4().int % 10**9)


async def test_a_step_begun_on_one_process_goes_on_on_another(redis_url: str) -> None:
    first, second = redis_fsm_storage(redis_url), redis_fsm_storage(redis_url)
    key = _key()
    try:
        await first.set_state(key, "Draft:text")
        await first.set_data(key, {"incident": 7})
        assert await second.get_state(key) == "Draft:text"
        assert await second.get_data(key) == {"incident": 7}
        ttl = await second.redis.ttl(f"incident_bot:42:-100:{key.user_id}:default:state")
        assert 0 < ttl <= STATE_TTL.total_seconds()  # an abandoned step expires
        other_bot = StorageKey(bot_id=43, chat_id=key.chat_id, user_id=key.user_id)
        assert await second.get_state(other_bot) is None  # keyed per bot
    finally:
        await first.close()
        await second.close()


async def test_one_update_at_a_time_per_person_across_processes(redis_url: str) -> None:
    storages = [redis_fsm_storage(redis_url), redis_fsm_storage(redis_url)]
    isolations = [redis_events_isolation(storage) for storage in storages]
    key = _key()
    inside: list[int] = []
    overlaps: list[int] = []

    async def handle(process: int) -> None:
        async with isolations[process].lock(key):
            if inside:
                overlaps.append(process)
            inside.append(process)
            await asyncio.sleep(0.05)
            inside.remove(process)

    try:
        await asyncio.gather(*(handle(n % 2) for n in range(6)))
    finally:
        for storage in storages:
            await storage.close()
    assert overlaps == []
