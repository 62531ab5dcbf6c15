"""One claimed row (or coalesced card) into Telegram requests, within the limits.

A card edits the incident's message in the chat in place, or sends a new one when there is
none or it is gone; a message goes out as text, as one captioned medium, or as an album
followed by its text (the album's progress is checkpointed, so a retry does not resend it).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InputMediaDocument, InputMediaPhoto, InputMediaVideo, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.outbox.errors import Abandoned, RowError, is_message_gone, is_not_modified
from bot.outbox.flood import FLOOD_SUMMARY_KEY, OpenCardData, summary_keyboard
from bot.outbox.limits import RateLimiter
from bot.outbox.methods import EditText, SendText
from bot.outbox.render import Media, Rendered, Renderer
from db.outbox_repository import Claim, OutboxKind, OutboxRepository
from workflow.model import MediaKind

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Sent:
    row_ids: tuple[int, ...]
    message_id: int
    incident_id: int | None  # set for a card sent as a new message: its message to record
    chat_id: int


class Delivery:
    def __init__(
        self,
        bot: Bot,
        renderer: Renderer,
        limiter: RateLimiter,
        *,
        request_timeout: int,
        open_card_data: OpenCardData | None = None,
    ) -> None:
        self._bot = bot
        self._renderer = renderer
        self._limiter = limiter
        self._timeout = request_timeout
        self._open_card_data = open_card_data

    async def send(self, session: AsyncSession, claim: Claim) -> Sent:
        """Render and send; the caller records the outcome."""
        if claim.kind not in tuple(OutboxKind):
            raise RowError(f"unknown outbox kind {claim.kind!r}")
        if claim.kind == OutboxKind.CARD and claim.incident_id is None:
            raise RowError("a card row without its incident (deleted?)")
        repository = OutboxRepository(session)
        # The newest row of a coalesced card carries the newest parameters.
        newest = claim.head if claim.newest_id == claim.head_id else None
        newest = newest or await repository.row(claim.newest_id)
        if newest is None:
            raise RowError(f"outbox row {claim.newest_id} vanished")
        rendered = await self._renderer(session, newest)
        if newest.key == FLOOD_SUMMARY_KEY and self._open_card_data is not None:
            ids = [int(i) for i in newest.params.get("incident_ids", [])]
            rendered = replace(rendered, keyboard=summary_keyboard(ids, self._open_card_data))
        if not repository.locks_rows:
            # SQLite: end any read before the request; no transaction spans a network call.
            await session.commit()
        if claim.kind == OutboxKind.CARD:
            message_id = await self._send_card(session, claim, rendered)
            # An edit in place leaves the card's recorded message as it is: nothing to record.
            moved = message_id != claim.card_message_id
            return Sent(
                claim.row_ids, message_id, claim.incident_id if moved else None, claim.chat_id
            )
        message_id = await self._send_new(session, claim, rendered, as_card=False)
        return Sent(claim.row_ids, message_id, None, claim.chat_id)

    async def _send_card(self, session: AsyncSession, claim: Claim, rendered: Rendered) -> int:
        if claim.card_message_id is not None:
            message_id = claim.card_message_id
            try:
                edit = EditText(
                    chat_id=claim.chat_id,
                    message_id=message_id,
                    text=rendered.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=rendered.keyboard,
                )
                await self._call(claim.chat_id, lambda: self._bot(edit, self._timeout))
                return message_id
            except TelegramBadRequest as error:
                if is_not_modified(error):
                    return message_id
                if not is_message_gone(error):
                    raise
                log.info(
                    "outbox: card of incident %s in chat %s is gone (%s); sending a new one",
                    claim.incident_id,
                    claim.chat_id,
                    error.message,
                )
        return await self._send_new(session, claim, rendered, as_card=True)

    async def _send_new(
        self, session: AsyncSession, claim: Claim, rendered: Rendered, *, as_card: bool
    ) -> int:
        chat_id = claim.chat_id
        media = rendered.media
        if len(media) == 1 and rendered.fits_caption and not as_card:
            message = await self._call(
                chat_id, lambda: self._send_single(chat_id, media[0], rendered)
            )
            return message.message_id
        if media and claim.progress_message_id is None:
            if len(media) == 1:
                first = await self._call(
                    chat_id, lambda: self._send_single(chat_id, media[0], None)
                )
                first_id = first.message_id
            else:
                album = await self._call(
                    chat_id,
                    lambda: self._bot.send_media_group(
                        chat_id=chat_id,
                        media=[_input_media(item) for item in media],
                        request_timeout=self._timeout,
                    ),
                    cost=len(media),
                )
                first_id = album[0].message_id
            await self._checkpoint(session, claim, first_id)
        send = SendText(
            chat_id=chat_id,
            text=rendered.text,
            parse_mode=ParseMode.HTML,
            reply_markup=rendered.keyboard,
        )
        message = await self._call(chat_id, lambda: self._bot(send, self._timeout))
        return message.message_id

    def _send_single(
        self, chat_id: int, item: Media, rendered: Rendered | None
    ) -> Awaitable[Message]:
        caption = rendered.text if rendered is not None else None
        keyboard = rendered.keyboard if rendered is not None else None
        common: dict[str, Any] = {
            "chat_id": chat_id,
            "caption": caption,
            "parse_mode": ParseMode.HTML if caption else None,
            "reply_markup": keyboard,
            "request_timeout": self._timeout,
        }
        if item.kind == MediaKind.PHOTO:
            return self._bot.send_photo(photo=item.input_file(), **common)
        if item.kind == MediaKind.VIDEO:
            return self._bot.send_video(video=item.input_file(), **common)
        return self._bot.send_document(document=item.input_file(), **common)

    async def _call(self, chat_id: int, request: Callable[[], Awaitable[T]], *, cost: int = 1) -> T:
        # The slot is taken right before the request, so that the spacing the limiter keeps
        # is the spacing Telegram sees.
        await self._limiter.acquire(chat_id, cost)
        return await request()

    async def _checkpoint(self, session: AsyncSession, claim: Claim, media_message_id: int) -> None:
        """Record that the media of a two-step row went out (the row stays pending)."""
        repository = OutboxRepository(session)
        await repository.checkpoint(claim.head_id, media_message_id)
        await session.commit()
        if repository.locks_rows and claim.head_id not in await repository.relock(claim.row_ids):
            # The commit released our locks, and someone else took them meanwhile.
            raise Abandoned


def _input_media(item: Media) -> InputMediaPhoto | InputMediaVideo | InputMediaDocument:
    if item.kind == MediaKind.PHOTO:
        return InputMediaPhoto(media=item.input_file())
    if item.kind == MediaKind.VIDEO:
        return InputMediaVideo(media=item.input_file())
    return InputMediaDocument(media=item.input_file())
