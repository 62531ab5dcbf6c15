"""The sender's statements, built once: they run for every message, and building one costs
about as much as running it (their bound values are passed at each run)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import aliased

from db.models import IncidentCard, OutboxRow


@cache
def due_chats_statement(pending: str) -> Any:
    """Chats with due pending rows, the longest waiting first (`now`, `limit`)."""
    first = func.min(OutboxRow.id)
    return (
        select(OutboxRow.chat_id, first)
        .where(OutboxRow.state == pending, OutboxRow.not_before <= bindparam("now"))
        .group_by(OutboxRow.chat_id)
        .order_by(first)
        .limit(bindparam("limit"))
    )


@cache
def next_due_statement(pending: str) -> Any:
    """When the first pending row not yet due becomes due (`now`)."""
    return select(func.min(OutboxRow.not_before)).where(
        OutboxRow.state == pending, OutboxRow.not_before > bindparam("now")
    )


@cache
def claim_statement(pending: str, card: str) -> Any:
    """The chat's next due row (`chat`, `now`) with, beside it, the card's message in the
    chat, whether more card rows of its incident wait (they coalesce; only then are they
    read, in a second statement), and how many rows of the chat are due in all (the last
    one claimed ends the sender's worker)."""
    now = bindparam("now")
    head_id = (
        select(OutboxRow.id)
        .where(
            OutboxRow.chat_id == bindparam("chat"),
            OutboxRow.state == pending,
            OutboxRow.not_before <= now,
        )
        .order_by(OutboxRow.priority, OutboxRow.id)
        .limit(1)
        .scalar_subquery()
    )
    card_message = (
        select(IncidentCard.message_id)
        .where(
            IncidentCard.incident_id == OutboxRow.incident_id,
            IncidentCard.chat_id == OutboxRow.chat_id,
        )
        .scalar_subquery()
    )
    later = aliased(OutboxRow)
    more_cards = (
        select(func.count())
        .where(
            later.chat_id == OutboxRow.chat_id,
            later.state == pending,
            later.not_before <= now,
            later.kind == card,
            later.incident_id == OutboxRow.incident_id,
            later.id != OutboxRow.id,
        )
        .scalar_subquery()
    )
    waiting = aliased(OutboxRow)
    due_in_chat = (
        select(func.count())
        .where(
            waiting.chat_id == OutboxRow.chat_id,
            waiting.state == pending,
            waiting.not_before <= now,
        )
        .scalar_subquery()
    )
    return (
        select(OutboxRow, card_message, more_cards, due_in_chat)
        .where(OutboxRow.id == head_id, OutboxRow.state == pending)
        .with_for_update(of=OutboxRow, skip_locked=True)
    )


@cache
def mark_sent_statement(pending: str, sent: str) -> Any:
    """The rows (`ids`) sent as Telegram's message `sent_message` at `now`; through the
    table, not the mapped class, so that no ORM bulk-update step runs for it."""
    rows = OutboxRow.__table__
    return (
        update(rows)
        .where(rows.c.id.in_(bindparam("ids", expanding=True)), rows.c.state == pending)
        .values(
            state=sent,
            sent_at=bindparam("now"),
            telegram_message_id=bindparam("sent_message"),
            attempts=rows.c.attempts + 1,
        )
    )
