"""The guided steps' state rows (aiogram FSM): the only SQL of the FSM storage.

A key is the six parts of aiogram's StorageKey (bot, chat, user, thread, business
connection, destiny); the storage in bot/ turns one into a `FsmKey`. Writes are upserts, so
two presses racing on a fresh key do not collide on the primary key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models_shell import FsmStateRow


@dataclass(frozen=True, slots=True)
class FsmKey:
    bot_id: int
    chat_id: int
    user_id: int
    thread_id: int = 0  # 0: not in a forum topic
    business_connection_id: str = ""
    destiny: str = "default"


@dataclass(frozen=True, slots=True)
class FsmRecord:
    state: str | None
    data: dict[str, Any]


def _where(key: FsmKey) -> list[Any]:
    return [
        FsmStateRow.bot_id == key.bot_id,
        FsmStateRow.chat_id == key.chat_id,
        FsmStateRow.user_id == key.user_id,
        FsmStateRow.thread_id == key.thread_id,
        FsmStateRow.business_connection_id == key.business_connection_id,
        FsmStateRow.destiny == key.destiny,
    ]


class FsmRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key: FsmKey) -> FsmRecord | None:
        row = (
            await self._session.execute(
                select(FsmStateRow.state, FsmStateRow.data).where(*_where(key))
            )
        ).one_or_none()
        if row is None:
            return None
        return FsmRecord(row.state, dict(row.data or {}))

    async def put(self, key: FsmKey, record: FsmRecord, now: datetime) -> None:
        """Write the step, or drop its row when it holds nothing (no state, no data)."""
        if record.state is None and not record.data:
            await self._session.execute(delete(FsmStateRow).where(*_where(key)))
            return
        values = {
            "bot_id": key.bot_id,
            "chat_id": key.chat_id,
            "user_id": key.user_id,
            "thread_id": key.thread_id,
            "business_connection_id": key.business_connection_id,
            "destiny": key.destiny,
            "state": record.state,
            "data": record.data,
            "updated_at": now,
        }
        dialect = self._session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(FsmStateRow).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[
                FsmStateRow.bot_id,
                FsmStateRow.chat_id,
                FsmStateRow.user_id,
                FsmStateRow.thread_id,
                FsmStateRow.business_connection_id,
                FsmStateRow.destiny,
            ],
            set_={"state": record.state, "data": record.data, "updated_at": now},
        )
        await self._session.execute(statement)
