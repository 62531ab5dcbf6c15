"""Replies that are part of a step (a question, a picker, a confirmation) and notices to
roles, written through the one outbox writer so they wait their turn in the chat's queue.

Only the answer to a button press itself (answerCallbackQuery) and the edit of the message
pressed go straight to Telegram: they must happen at the press.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.outbox_writer import OutboxWriter
from db.outbox_repository import Priority
from db.uow import UnitOfWork
from workflow.effects import Message

KEYBOARD_PARAM = "keyboard"  # rendered into buttons by bot/views/renderer.py


class Replies:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        default_locale: str,
        on_committed: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._writer = OutboxWriter(default_locale)
        self._on_committed = on_committed

    async def send(
        self,
        chat_id: int,
        key: str,
        *,
        locale: str | None,
        params: Mapping[str, Any] | None = None,
        keyboard: Sequence[Sequence[Mapping[str, str]]] | None = None,
        incident_id: int | None = None,
    ) -> None:
        """One message to the chat where the step happens, first in its queue."""
        values = dict(params or {})
        if keyboard:
            values[KEYBOARD_PARAM] = [[dict(button) for button in row] for row in keyboard]
        async with UnitOfWork(self._sessions) as uow:
            await self._writer.text(
                uow,
                chat_id,
                key,
                self._clock.now(),
                params=values,
                locale=locale,
                priority=Priority.REPLY,
                incident_id=incident_id,
            )
        self._on_committed()

    async def notify(self, notices: Sequence[Message]) -> None:
        """Notices to their addressees (roles, organisations, people), resolved as usual."""
        async with UnitOfWork(self._sessions) as uow:
            await self._writer.messages(uow, notices, self._clock.now())
        self._on_committed()
