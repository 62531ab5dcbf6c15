"""Outbox rows: what a change has to tell, kept until the sender delivers it.

Every statement on the `outbox` table (and the sender's on `incident_cards`) lives here: the
writer adds rows through `add`, the sender claims, marks and prunes them through the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import IncidentCard, OutboxRow
from db.notify import OUTBOX, notify_on_commit
from db.outbox_statements import (
    claim_statement,
    due_chats_statement,
    mark_sent_statement,
    next_due_statement,
)


class OutboxKind(StrEnum):
    MESSAGE = "message"  # a text from the catalogue
    CARD = "card"  # an incident's card: one message per chat, edited in place
    MEDIA = "media"  # a draft's photos and documents
    REPORT = "report"  # a period report's summary, chart or table, drawn when sent


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Priority(IntEnum):
    """Order within one chat's queue: lower goes first, FIFO within one priority."""

    REPLY = 0  # the answer to a person's own press or command
    ACTION = 1  # a card or message that needs someone to act
    NOTICE = 2  # everything else: notices, digests, reminders
    # Set by the sender only: first cards already announced by a flood summary; they follow
    # everything else, as capacity allows (or sooner, when the card is opened).
    BACKLOG = 3


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


@dataclass(frozen=True, slots=True)
class Claim:
    """What the sender needs of the rows it claimed, read before any commit."""

    chat_id: int
    kind: str
    key: str
    incident_id: int | None
    row_ids: tuple[int, ...]  # the head first; more only for coalesced card rows
    attempts: int
    progress_message_id: int | None  # media already sent for this pending row
    card_message_id: int | None  # the incident's card already in the chat
    priority: Priority = Priority.NOTICE

    # The head row itself, for rendering without reading it again (the session keeps loaded
    # rows only while something refers to them).
    head: OutboxRow | None = field(default=None, compare=False, repr=False)
    last: bool = False  # no other row of the chat was due when it was claimed

    @property
    def head_id(self) -> int:
        return self.row_ids[0]

    @property
    def first_card(self) -> bool:
        """The incident's first card in the chat, not asked for (a flood may summarise it)."""
        return (
            self.kind == OutboxKind.CARD
            and self.card_message_id is None
            and self.priority in (Priority.ACTION, Priority.NOTICE)
        )

    @property
    def newest_id(self) -> int:
        """The row whose parameters a coalesced card is rendered from."""
        return max(self.row_ids)


@dataclass(frozen=True, slots=True)
class NewCard:
    """An incident whose first card waits for a chat (the flood summary lists these)."""

    incident_id: int
    locale: str


_PENDING = OutboxState.PENDING.value
_OUTBOX = OutboxRow.__table__  # written through Core: the ORM's bulk insert costs more
_CARDS = IncidentCard.__table__


def _error(text: str) -> str:
    return text[:2000]


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._cards: set[tuple[int, int]] = set()  # (incident, chat) cards added here

    def wrote_card(self, incident_id: int, chat_id: int) -> bool:
        """Whether this unit of work added a card of the incident for the chat."""
        return (incident_id, chat_id) in self._cards

    @property
    def locks_rows(self) -> bool:
        """PostgreSQL: claims hold row locks (SKIP LOCKED); SQLite has one writer anyway."""
        return self._session.get_bind().dialect.name == "postgresql"

    # --- writing -----------------------------------------------------------------------------

    async def add(self, messages: Iterable[OutgoingMessage], now: datetime) -> list[int]:
        """Write pending rows (in one statement, ids ascending in the given order, which is
        the delivery order within a priority); returns their ids."""
        rows = [
            {
                "chat_id": message.chat_id,
                "kind": message.kind.value,
                "incident_id": message.incident_id,
                "key": message.key,
                "params": dict(message.params),
                "locale": message.locale,
                "state": _PENDING,
                "priority": int(message.priority),
                "not_before": message.not_before,
                "attempts": 0,
                "created_at": now,
            }
            for message in messages
        ]
        if not rows:
            return []
        self._cards.update(
            (row["incident_id"], row["chat_id"])
            for row in rows
            if row["kind"] == OutboxKind.CARD.value and row["incident_id"] is not None
        )
        # One INSERT … VALUES (…), (…) RETURNING for the lot, not one round trip a row.
        # Ids are given in the order rows are inserted, so sorting the returned ones puts
        # them in the given order (asking the driver to keep the order costs one INSERT a
        # row on SQLite).
        result = await self._session.execute(insert(_OUTBOX).returning(_OUTBOX.c.id), rows)
        # The sender may be another process: tell it at the commit (PostgreSQL).
        notify_on_commit(self._session.sync_session, OUTBOX)
        return sorted(result.scalars())

    # --- the sender's scan --------------------------------------------------------------------

    async def due_chats(self, now: datetime, limit: int) -> list[int]:
        """Chats with due pending rows, the longest waiting first."""
        due = await self._session.execute(
            due_chats_statement(_PENDING), {"now": now, "limit": limit}
        )
        return [chat_id for chat_id, _ in due.all()]

    async def next_due(self, now: datetime) -> datetime | None:
        """When the first pending row that is not yet due becomes due."""
        return await self._session.scalar(next_due_statement(_PENDING), {"now": now})

    # --- claiming ------------------------------------------------------------------------------

    async def claim(self, chat_id: int, now: datetime) -> Claim | None:
        """The chat's next due row (by priority, then id), locked where rows can be.

        Nothing when another process holds it: taking the next one instead would break the
        order. A card row takes every due card row of its (incident, chat) along: they
        coalesce into one request. The repeated state test matters on PostgreSQL, which
        re-checks it on the newest version of a row it waited for.
        """
        found = (
            await self._session.execute(
                claim_statement(_PENDING, OutboxKind.CARD.value), {"chat": chat_id, "now": now}
            )
        ).first()
        if found is None:
            return None
        head, card_message_id, more, due_count = found
        row_ids = [head.id]
        if head.kind == OutboxKind.CARD.value and head.incident_id is not None and more:
            others = await self._session.scalars(
                select(OutboxRow.id)
                .where(
                    OutboxRow.chat_id == chat_id,
                    OutboxRow.state == _PENDING,
                    OutboxRow.not_before <= now,
                    OutboxRow.kind == OutboxKind.CARD.value,
                    OutboxRow.incident_id == head.incident_id,
                    OutboxRow.id != head.id,
                )
                .order_by(OutboxRow.id)
                .with_for_update()
            )
            row_ids += others.all()
        if head.kind != OutboxKind.CARD.value:
            card_message_id = None
        return Claim(
            chat_id=chat_id,
            kind=head.kind,
            key=head.key,
            incident_id=head.incident_id,
            row_ids=tuple(row_ids),
            attempts=head.attempts,
            progress_message_id=head.telegram_message_id,
            card_message_id=card_message_id,
            priority=Priority(head.priority),
            head=head,
            last=due_count <= len(row_ids),
        )

    async def row(self, row_id: int) -> OutboxRow | None:
        return await self._session.get(OutboxRow, row_id)

    async def checkpoint(self, row_id: int, message_id: int) -> None:
        """Record the media of a two-step row as sent (the row stays pending)."""
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id)
            .values(telegram_message_id=message_id)
            .execution_options(synchronize_session=False)
        )

    async def relock(self, row_ids: Sequence[int]) -> set[int]:
        """Lock the rows again after a commit; returns those still pending and ours."""
        relocked = await self._session.scalars(
            select(OutboxRow.id)
            .where(OutboxRow.id.in_(row_ids), OutboxRow.state == _PENDING)
            .with_for_update(skip_locked=True)
        )
        return set(relocked.all())

    # --- outcomes ------------------------------------------------------------------------------

    async def mark_sent(
        self,
        row_ids: Sequence[int],
        message_id: int,
        now: datetime,
        *,
        card_of: tuple[int, int] | None = None,
    ) -> None:
        """Mark the rows sent; for a card, `card_of` (incident, chat) records its message."""
        await self._session.execute(
            mark_sent_statement(_PENDING, OutboxState.SENT.value),
            {"ids": list(row_ids), "now": now, "sent_message": message_id},
        )
        if card_of is None:
            return
        incident_id, chat_id = card_of
        # An edit finds the card's row; only a first card (or one sent anew) adds it.
        moved = await self._session.execute(
            update(_CARDS)
            .where(_CARDS.c.incident_id == incident_id, _CARDS.c.chat_id == chat_id)
            .values(message_id=message_id, updated_at=now)
        )
        if cast(CursorResult[Any], moved).rowcount == 0:
            await self._session.execute(
                insert(_CARDS).values(
                    incident_id=incident_id, chat_id=chat_id, message_id=message_id, updated_at=now
                )
            )

    async def count_attempt(self, row_id: int, error: str) -> None:
        """A try that failed and will be repeated."""
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id, OutboxRow.state == _PENDING)
            .values(attempts=OutboxRow.attempts + 1, last_error=_error(error))
            .execution_options(synchronize_session=False)
        )

    async def give_up(
        self, row_ids: Sequence[int], error: str, *, whole_chat: int | None = None
    ) -> tuple[int, ...]:
        """Mark the claimed rows failed, and with `whole_chat` every other pending row of that
        chat ("skipped: …"). Returns every row given up, the claimed ones first; nothing when
        the claimed rows were no longer pending (another process got there first)."""
        failed = await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(row_ids), OutboxRow.state == _PENDING)
            .values(
                state=OutboxState.FAILED.value,
                attempts=OutboxRow.attempts + 1,
                last_error=_error(error),
            )
            .execution_options(synchronize_session=False)
        )
        if not getattr(failed, "rowcount", 0):
            return ()
        skipped: list[int] = []
        if whole_chat is not None:
            rest = await self._session.scalars(
                select(OutboxRow.id).where(
                    OutboxRow.chat_id == whole_chat,
                    OutboxRow.state == _PENDING,
                    OutboxRow.id.not_in(row_ids),
                )
            )
            skipped = list(rest.all())
        if skipped:
            await self._session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(skipped), OutboxRow.state == _PENDING)
                .values(state=OutboxState.FAILED.value, last_error=_error(f"skipped: {error}"))
                .execution_options(synchronize_session=False)
            )
        return (*row_ids, *skipped)

    # --- floods --------------------------------------------------------------------------------

    async def waiting_first_cards(self, chat_id: int, now: datetime) -> list[NewCard]:
        """Incidents whose first card in the chat is due and not yet announced by a summary,
        the oldest first."""
        first = func.min(OutboxRow.id)
        shown = select(IncidentCard.incident_id).where(IncidentCard.chat_id == chat_id)
        found = await self._session.execute(
            select(OutboxRow.incident_id, func.min(OutboxRow.locale), first)
            .where(
                OutboxRow.chat_id == chat_id,
                OutboxRow.state == _PENDING,
                OutboxRow.not_before <= now,
                OutboxRow.kind == OutboxKind.CARD.value,
                # A card someone asked for (REPLY) is sent, not summarised.
                OutboxRow.priority.in_([int(Priority.ACTION), int(Priority.NOTICE)]),
                OutboxRow.incident_id.is_not(None),
                OutboxRow.incident_id.not_in(shown),
            )
            .group_by(OutboxRow.incident_id)
            .order_by(first)
        )
        return [NewCard(int(incident_id), locale) for incident_id, locale, _ in found.all()]

    async def to_backlog(self, chat_id: int, incident_ids: Sequence[int]) -> None:
        """Move the pending cards of these incidents in the chat behind everything else."""
        await self._session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.chat_id == chat_id,
                OutboxRow.state == _PENDING,
                OutboxRow.kind == OutboxKind.CARD.value,
                OutboxRow.incident_id.in_(incident_ids),
                OutboxRow.priority.in_([int(Priority.ACTION), int(Priority.NOTICE)]),
            )
            .values(priority=int(Priority.BACKLOG))
            .execution_options(synchronize_session=False)
        )
