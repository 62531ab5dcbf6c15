"""Where guided steps keep their state (aiogram's FSM storage), chosen once at start.

By default the project's own database (`DatabaseStorage`, table `fsm_states`): a draft's
text and photos collected so far, a picker's ticks, a comment being asked for, all survive
a restart of the bot. `make_fsm_storage` is the one place that picks the storage; another
back end (Redis, when configured) is chosen there, before the database default.

Everything a step keeps must be JSON (numbers, strings, lists, dicts with string keys):
`set_data` refuses anything else at once, rather than losing it at the next restart.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.settings import Settings
from db.fsm_repository import FsmKey, FsmRecord
from db.uow import UnitOfWork

KNOWN_KEYS = 10_000  # people with a step under way, kept in memory


def _key(key: StorageKey) -> FsmKey:
    return FsmKey(
        bot_id=key.bot_id,
        chat_id=key.chat_id,
        user_id=key.user_id,
        thread_id=key.thread_id or 0,
        business_connection_id=key.business_connection_id or "",
        destiny=key.destiny,
    )


def _state_name(state: StateType) -> str | None:
    return state.state if isinstance(state, State) else state


def _json_copy(data: Mapping[str, Any]) -> dict[str, Any]:
    """The data as it will read back after a restart; TypeError names what cannot be kept."""
    try:
        copied = json.loads(json.dumps(dict(data)))
    except (TypeError, ValueError) as error:
        raise TypeError(f"a guided step can keep JSON values only: {error}") from error
    assert isinstance(copied, dict)
    return copied


class DatabaseStorage(BaseStorage):
    """aiogram's BaseStorage over the `fsm_states` table (SQLite or PostgreSQL).

    Each call is one short unit of work. Updates of one person's step in one chat are
    serialised by the dispatcher's event isolation (bot/app.py), so a read-modify-write
    such as `update_data` or an album's photos arriving together cannot lose a part.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        keep_in_memory: bool = True,
    ) -> None:
        """`keep_in_memory`: this process alone handles updates (long polling: Telegram
        gives updates to one caller at a time), so the table changes only through here."""
        self._sessions = sessions
        self._clock = clock
        self._keep = keep_in_memory
        # What this process last read or wrote per key (None: no step), so that an update
        # need not read the table. Read again after a restart; bounded, oldest forgotten.
        self._known: OrderedDict[FsmKey, FsmRecord | None] = OrderedDict()

    def _remember(self, key: FsmKey, record: FsmRecord | None) -> None:
        if not self._keep:
            return
        self._known[key] = record
        self._known.move_to_end(key)
        while len(self._known) > KNOWN_KEYS:
            self._known.popitem(last=False)

    async def _read(self, key: StorageKey) -> FsmRecord | None:
        fsm_key = _key(key)
        if fsm_key in self._known:
            self._known.move_to_end(fsm_key)
            return self._known[fsm_key]
        async with UnitOfWork(self._sessions) as uow:
            record = await uow.fsm.get(fsm_key)
        self._remember(fsm_key, record)
        return record

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        fsm_key = _key(key)
        self._known.pop(fsm_key, None)  # unknown until the write is committed
        async with UnitOfWork(self._sessions, write=True) as uow:
            current = await uow.fsm.get(fsm_key)
            data = current.data if current is not None else {}
            record = FsmRecord(_state_name(state), data)
            await uow.fsm.put(fsm_key, record, self._clock.now())
        self._remember(fsm_key, record)

    async def get_state(self, key: StorageKey) -> str | None:
        record = await self._read(key)
        return record.state if record is not None else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        kept = _json_copy(data)
        fsm_key = _key(key)
        self._known.pop(fsm_key, None)
        async with UnitOfWork(self._sessions, write=True) as uow:
            current = await uow.fsm.get(fsm_key)
            state = current.state if current is not None else None
            record = FsmRecord(state, kept)
            await uow.fsm.put(fsm_key, record, self._clock.now())
        self._remember(fsm_key, record)  # `kept` is the storage's own copy

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = await self._read(key)
        # A copy: a caller changing what it got must not change what is kept.
        return _json_copy(record.data) if record is not None else {}

    async def close(self) -> None:
        """The sessions belong to the application, which disposes of the engine itself."""


def make_fsm_storage(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock | None = None,
) -> BaseStorage:
    """The storage of guided steps for this configuration (the database by default)."""
    # A webhook may be served by several processes (docs/scale.md): then every update
    # reads the table, since another process may have moved the step on.
    polling = settings.server.webhook_url is None
    return DatabaseStorage(sessions, clock or SystemClock(), keep_in_memory=polling)
