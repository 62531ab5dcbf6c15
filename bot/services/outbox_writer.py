"""Workflow messages into outbox rows, in the caller's transaction (ARCHITECTURE.md, outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.addressing import resolve
from db.models import OutboxRow
from workflow.effects import Message


async def enqueue_messages(
    session: AsyncSession,
    messages: Sequence[Message],
    now: datetime,
    default_locale: str,
    not_before: datetime | None = None,
) -> list[OutboxRow]:
    """One pending row per recipient chat of each message; the sender delivers them."""
    rows: list[OutboxRow] = []
    for message in messages:
        for recipient in await resolve(session, message.to, now):
            rows.append(
                OutboxRow(
                    chat_id=recipient.chat_id,
                    kind="message",
                    incident_id=message.incident_id,
                    key=message.key,
                    params=dict(message.params),
                    locale=recipient.locale or default_locale,
                    state="pending",
                    not_before=not_before or now,
                    attempts=0,
                    created_at=now,
                )
            )
    session.add_all(rows)
    await session.flush()
    return rows
