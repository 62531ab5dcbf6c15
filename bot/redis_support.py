"""Redis for several processes serving one bot (`REDIS_URL`): aiogram's FSM storage, so that
a guided step begun on one process goes on on another, and its event isolation, so that two
updates of one person in one chat are handled one after the other even when they reach two
processes (a lock in Redis per chat and person).

Steps left unfinished expire after `STATE_TTL` (a step lost wrote nothing: it is begun again).
"""

from __future__ import annotations

from datetime import timedelta

from aiogram.fsm.storage.base import BaseEventIsolation
from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisStorage

STATE_TTL = timedelta(days=1)
KEY_PREFIX = "incident_bot"


def redis_fsm_storage(url: str) -> RedisStorage:
    """The guided steps' state in Redis, keyed per bot (several bots may share one Redis)."""
    return RedisStorage.from_url(
        url,
        key_builder=DefaultKeyBuilder(prefix=KEY_PREFIX, with_bot_id=True, with_destiny=True),
        state_ttl=STATE_TTL,
        data_ttl=STATE_TTL,
    )


def redis_events_isolation(storage: RedisStorage) -> BaseEventIsolation:
    """One update at a time per chat and person, across processes (over the same Redis)."""
    return storage.create_isolation()
