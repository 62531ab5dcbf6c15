"""Shared by the outbox tests, the kill -9 child and the benchmark: a plain renderer, rows."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.outbox import Media, Rendered
from bot.services.outbox_writer import OutboxWriter
from db.models import IncidentRow, OutboxRow
from db.outbox_repository import OutboxKind, Priority
from db.uow import UnitOfWork
from workflow.model import Importance, IncidentStatus, MediaKind, Source

if TYPE_CHECKING:  # the kill -9 child imports this module: keep pytest out of it
    from tests.support.fake_telegram import FakeTelegram

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


class PlainRenderer:
    """text = "{key} {params}"; params may carry "buttons" [[text, data]] and "media"
    [[kind, file_id]]; a "text" param replaces the text (to test what Telegram refuses)."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, session: AsyncSession, row: OutboxRow) -> Rendered:
        self.calls += 1
        params = dict(row.params)
        buttons = params.pop("buttons", None)
        media = params.pop("media", None)
        text = params.pop("text", None) or html.escape(f"{row.key} {params}", quote=False)
        keyboard = None
        if buttons:
            keyboard = InlineKeyboardMarkup(
                inline_keyboard=[
                    [InlineKeyboardButton(text=label, callback_data=data)]
                    for label, data in buttons
                ]
            )
        return Rendered(
            text=text,
            keyboard=keyboard,
            media=tuple(Media(MediaKind(kind), file_id) for kind, file_id in media or ()),
        )


def key_of(text: str | None) -> str:
    """The row key a PlainRenderer text starts with."""
    return (text or "").split(" ", 1)[0]


async def add_incident(session: AsyncSession, number: int = 1) -> int:
    """A bare incident for cards to point at."""
    incident = IncidentRow(
        source=Source.VK,
        url=f"https://vk.com/wall-1_{number}",
        text=f"post {number}",
        detected_at=NOW,
        status=IncidentStatus.NEW,
        importance=Importance.NORMAL,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(incident)
    await session.flush()
    return incident.id


async def add_rows(
    factory: async_sessionmaker[AsyncSession],
    rows: Iterable[tuple[int, str] | tuple[int, str, dict[str, Any]]],
    *,
    kind: str = "message",
    incident_id: int | None = None,
    not_before: datetime | None = None,
    priority: Priority = Priority.NOTICE,
) -> list[int]:
    """Write (chat_id, key[, params]) rows through the writer in one unit of work; return
    their ids in order."""
    writer = OutboxWriter("ru")
    added: list[int] = []
    async with UnitOfWork(factory) as uow:
        for chat_id, key, *rest in rows:
            added += await writer.text(
                uow,
                chat_id,
                key,
                NOW,
                params=rest[0] if rest else {"n": key},
                kind=OutboxKind(kind),
                incident_id=incident_id,
                not_before=not_before,
                priority=priority,
            )
    return added


async def outbox_rows(factory: async_sessionmaker[AsyncSession]) -> list[OutboxRow]:
    async with factory() as session:
        return list((await session.scalars(sa.select(OutboxRow).order_by(OutboxRow.id))).all())


def delivered_keys(server: FakeTelegram, chat_id: int) -> list[str]:
    """Keys of the bot's messages in the chat, in the order they arrived (duplicates kept)."""
    return [key_of(m.content) for m in server.bot_messages(chat_id) if m.media_kind is None]


def duplicates(server: FakeTelegram, chat_ids: Sequence[int]) -> dict[str, int]:
    counts = Counter(key for chat in chat_ids for key in delivered_keys(server, chat))
    return {key: count for key, count in counts.items() if count > 1}


def in_order(keys: Sequence[str], expected: Sequence[str]) -> bool:
    """True when `keys` without repeats is `expected` (repeats may only follow their first)."""
    seen: list[str] = []
    for key in keys:
        if key not in seen:
            seen.append(key)
    return seen == list(expected)
