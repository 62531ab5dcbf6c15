"""The one outbox writer: every message, card and card edit becomes a row here.

It runs in the caller's unit of work, so a change and what it has to tell commit together
(ARCHITECTURE.md, outbox). Addressees go through the one resolver (bot/services/addressing).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.services.addressing import Audience, CardChat, Recipient, card_chats, resolve
from db.outbox_repository import OutboxKind, OutgoingMessage, Priority
from db.uow import UnitOfWork
from workflow.effects import Addressee, Message
from workflow.model import Incident

CARD_KEY = "card"
CARD_COPY_KEY = "card_copy"  # a read-only copy sent as a message: not the chat's card
# Notices whose whole content the incident's new card shows: not sent separately to a chat
# that gets the card in the same unit of work (a flood would otherwise double its messages).
SAID_BY_THE_CARD = frozenset({"incident.detected"})
# Notices that only inform (nobody must act on them now) and that the card, redrawn in the
# same unit of work, shows: not sent to a chat that holds the card, unless the setting
# `CARD_CHAT_NOTICES` asks for them. A notice asking someone to act always goes.
INFORMATION_ON_THE_CARD = frozenset(
    {
        "incident.taken",
        "draft.published",
        "incident.stage_limits_set",
        "incident.importance_changed",
        "incident.closed_no_answer",
    }
)


class OutboxWriter:
    def __init__(self, default_locale: str, *, card_chat_notices: bool = False) -> None:
        self.default_locale = default_locale
        self.said_by_the_card = SAID_BY_THE_CARD | (
            frozenset() if card_chat_notices else INFORMATION_ON_THE_CARD
        )

    async def messages(
        self,
        uow: UnitOfWork,
        messages: Sequence[Message],
        now: datetime,
        *,
        not_before: datetime | None = None,
        priority: Priority = Priority.NOTICE,
        exclude_chats: Collection[int] = (),
    ) -> list[int]:
        """One pending row per recipient chat of each workflow message (but `exclude_chats`,
        and a notice the card says, where the card went in this unit of work)."""
        rows: list[OutgoingMessage] = []
        for message in messages:
            for recipient in await resolve(uow.directory, message.to, now):
                if recipient.chat_id in exclude_chats:
                    continue
                if (
                    message.key in self.said_by_the_card
                    and message.incident_id is not None
                    and uow.outbox.wrote_card(message.incident_id, recipient.chat_id)
                ):
                    continue
                rows.append(self._message(message, recipient, not_before or now, priority))
        return await uow.outbox.add(rows, now)

    async def cards(
        self, uow: UnitOfWork, incident: Incident, now: datetime, *, reply_chat: int | None = None
    ) -> list[int]:
        """Refresh the incident's card in every chat that shows it; the chat whose press
        caused the change gets its card first (Priority.REPLY)."""
        chats = await card_chats(uow.directory, incident, now)
        return await uow.outbox.add(
            [
                self._card(
                    chat,
                    incident.id,
                    now,
                    Priority.REPLY if chat.chat_id == reply_chat else Priority.ACTION,
                )
                for chat in chats
            ],
            now,
        )

    async def card(
        self,
        uow: UnitOfWork,
        chat: CardChat,
        incident_id: int,
        now: datetime,
        priority: Priority = Priority.REPLY,
    ) -> list[int]:
        return await uow.outbox.add([self._card(chat, incident_id, now, priority)], now)

    async def card_for_chat(
        self,
        uow: UnitOfWork,
        incident: Incident,
        chat_id: int,
        locale: str | None,
        now: datetime,
    ) -> list[int]:
        """The card in one more chat (`/incident N`): the chat's own view if it is one of the
        card's chats (so its buttons stay), else read-only."""
        for chat in await card_chats(uow.directory, incident, now):
            if chat.chat_id == chat_id:
                return await self.card(uow, chat, incident.id, now)
        viewer = CardChat(chat_id, Audience.VIEWER, None, locale)
        return await self.card(uow, viewer, incident.id, now)

    async def card_copy(
        self, uow: UnitOfWork, incident_id: int, chat_id: int, locale: str | None, now: datetime
    ) -> list[int]:
        """The card drawn read-only into a message of its own (`/incident N`), so the chat's
        working card keeps its place and its buttons."""
        return await self.text(
            uow,
            chat_id,
            CARD_COPY_KEY,
            now,
            params={"audience": Audience.VIEWER.value, "org_code": None},
            locale=locale,
            incident_id=incident_id,
        )

    async def text(
        self,
        uow: UnitOfWork,
        chat_id: int,
        key: str,
        now: datetime,
        *,
        params: Mapping[str, Any] | None = None,
        locale: str | None = None,
        priority: Priority = Priority.REPLY,
        incident_id: int | None = None,
        kind: OutboxKind = OutboxKind.MESSAGE,
        not_before: datetime | None = None,
    ) -> list[int]:
        """A message to one chat (a reply that is part of a step, an admin notice)."""
        row = OutgoingMessage(
            chat_id=chat_id,
            key=key,
            params=dict(params or {}),
            locale=locale or self.default_locale,
            not_before=not_before or now,
            kind=kind,
            incident_id=incident_id,
            priority=priority,
        )
        return await uow.outbox.add([row], now)

    def _card(
        self, chat: CardChat, incident_id: int, now: datetime, priority: Priority
    ) -> OutgoingMessage:
        return OutgoingMessage(
            chat_id=chat.chat_id,
            key=CARD_KEY,
            params={"audience": chat.audience.value, "org_code": chat.org_code},
            locale=chat.locale or self.default_locale,
            not_before=now,
            kind=OutboxKind.CARD,
            incident_id=incident_id,
            priority=priority,
        )

    def _message(
        self, message: Message, recipient: Recipient, not_before: datetime, priority: Priority
    ) -> OutgoingMessage:
        return OutgoingMessage(
            chat_id=recipient.chat_id,
            key=message.key,
            params=dict(message.params),
            locale=recipient.locale or self.default_locale,
            not_before=not_before,
            incident_id=message.incident_id,
            priority=priority,
        )

    # --- added for bot/deadlines: messages held per reader -----------------------------------

    async def held_messages(
        self,
        uow: UnitOfWork,
        messages: Sequence[tuple[Message, datetime]],
        now: datetime,
        *,
        priority: Priority = Priority.NOTICE,
        resolved: dict[Addressee, list[Recipient]] | None = None,
    ) -> list[int]:
        """Like `messages`, but each message held until its own moment (a deadline alert
        waits for its reader's working hours, which differ per addressee), and identical
        messages reaching one chat through two addressees written once (a curator who is
        also a manager). `resolved` keeps recipients across calls of one batch."""
        rows: list[OutgoingMessage] = []
        seen: set[tuple[int, str, int | None, str]] = set()
        for message, not_before in messages:
            recipients = resolved.get(message.to) if resolved is not None else None
            if recipients is None:
                recipients = await resolve(uow.directory, message.to, now)
                if resolved is not None:
                    resolved[message.to] = recipients
            same = json.dumps(message.params, sort_keys=True, default=str)
            for recipient in recipients:
                if (recipient.chat_id, message.key, message.incident_id, same) in seen:
                    continue
                seen.add((recipient.chat_id, message.key, message.incident_id, same))
                rows.append(self._message(message, recipient, not_before, priority))
        return await uow.outbox.add(rows, now)
