"""A flood into one chat: one summary instead of a long queue of first cards.

When more than `threshold` incidents wait for their first card in one chat (a monitoring
burst: 200 incidents at once reach a group that takes 20 messages a minute), the sender
writes one summary message listing them (each with a button that opens its card at once)
ahead of everything else in that chat, and moves their cards behind the rest of the queue
(`Priority.BACKLOG`): they still come, as capacity allows, or at once when opened. So every
incident is visible within a minute, and the chat's own replies and edits are not held up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.outbox_writer import OutboxWriter
from db.outbox_repository import NewCard, Priority
from db.uow import UnitOfWork

FLOOD_SUMMARY_KEY = "outbox.flood_summary"
SUMMARY_MAX = 50  # incidents in one summary: its buttons stay well within Telegram's limits
BUTTONS_PER_ROW = 5

OpenCardData = Callable[[int], str]  # an incident id to the callback data of "open its card"


def summary_keyboard(incident_ids: Sequence[int], open_card: OpenCardData) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(text=str(incident_id), callback_data=open_card(incident_id))
        for incident_id in incident_ids
    ]
    return InlineKeyboardMarkup(
        inline_keyboard=[
            buttons[start : start + BUTTONS_PER_ROW]
            for start in range(0, len(buttons), BUTTONS_PER_ROW)
        ]
    )


class FloodGuard:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        writer: OutboxWriter,
        threshold: int | None,
    ) -> None:
        self._sessions = sessions
        self._writer = writer
        self.threshold = threshold  # None or 0: never summarise

    async def summarise(self, chat_id: int, now: datetime) -> int:
        """Write the summaries a flooded chat needs now; returns how many incidents they list."""
        if not self.threshold:
            return 0
        async with UnitOfWork(self._sessions) as uow:
            waiting = await uow.outbox.waiting_first_cards(chat_id, now)
            if len(waiting) <= self.threshold:
                return 0
            for start in range(0, len(waiting), SUMMARY_MAX):
                await self._summary(uow, chat_id, waiting[start : start + SUMMARY_MAX], now)
            await uow.outbox.to_backlog(chat_id, [card.incident_id for card in waiting])
        return len(waiting)

    async def _summary(
        self, uow: UnitOfWork, chat_id: int, cards: Sequence[NewCard], now: datetime
    ) -> None:
        ids = [card.incident_id for card in cards]
        await self._writer.text(
            uow,
            chat_id,
            FLOOD_SUMMARY_KEY,
            now,
            params={
                "count": len(ids),
                "incidents": ", ".join(f"№{incident_id}" for incident_id in ids),
                "incident_ids": ids,
            },
            locale=cards[0].locale,
            # Its point is to be seen within a minute: ahead of everything in the chat.
            priority=Priority.REPLY,
        )
