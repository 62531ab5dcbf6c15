"""Outbox rows: what a change has to tell, kept until the sender delivers it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OutboxRow


class OutboxKind(StrEnum):
    MESSAGE = "message"  # a text from the catalogue
    CARD = "card"  # an incident's card: one message per chat, edited in place
    MEDIA = "media"  # a draft's photos and documents


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Priority(IntEnum):
    """Order within one chat's queue: lower goes first."""

    REPLY = 0  # the answer to a person's own press or command
    ACTION = 1  # a card or message that needs someone to act
    NOTICE = 2  # everything else: notices, digests, reminders


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One row to write; the writer in bot/services fills it in."""

    chat_id: int
    key: str
    locale: str
    not_before: datetime
    kind: OutboxKind = OutboxKind.MESSAGE
    incident_id: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    priority: Priority = Priority.NOTICE


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, messages: Iterable[OutgoingMessage], now: datetime) -> list[int]:
        """Write pending rows; returns their ids in order."""
        rows = [
            OutboxRow(
                chat_id=message.chat_id,
                kind=message.kind.value,
                incident_id=message.incident_id,
                key=message.key,
                params=dict(message.params),
                locale=message.locale,
                state=OutboxState.PENDING.value,
                priority=int(message.priority),
                not_before=message.not_before,
                attempts=0,
                created_at=now,
            )
            for message in messages
        ]
        if not rows:
            return []
        self._session.add_all(rows)
        await self._session.flush()
        return [row.id for row in rows]
