"""The outbox sender: delivers outbox rows to Telegram, in order per chat, within the limits.

Writers add `OutboxRow`s in the transaction of the change that causes them (`outbox_row`),
and may set a wake-up event after the commit. The sender:

- scans for chats with due pending rows (`not_before` <= now) and runs one worker per chat,
  so a chat waiting on `retry_after` or a backoff never holds the others;
- sends a chat's due rows strictly in id order. A row whose `not_before` is still ahead
  (quiet hours) does not hold later due rows of its chat: writers that want a message to wait
  behind a delayed one give it the same `not_before`;
- for kind "card" edits the incident's card in that chat in place (`IncidentCard`), or sends
  it when there is none or it is gone; the due card rows of one (incident, chat) coalesce into
  one request, rendered from the newest row, and are all marked sent;
- keeps Telegram's limits (limits.py), honours 429 `retry_after`, retries network faults and
  5xx with exponential backoff and jitter, and gives up only on permanent errors.

Permanent errors. When a chat is unreachable (400 chat not found, 403 blocked, kicked,
deactivated, group migrated), the row and every other pending row of that chat are marked
'failed' ("skipped: …"), logged at WARNING, and `on_permanent_failure(session, failure)` runs
in the same transaction (to write a notice to the administrators: `notify_admins`). Rows that
are written later for that chat are tried again: the person may have unblocked the bot. When
only the row is bad (400 can't parse entities, message too long, …), only that row fails.

Crash safety. A row is marked sent (with its `telegram_message_id`) in a short transaction
right after the API call returns, before anything else happens. A crash between the answer and
that commit is the one way to send a message twice: the row is still pending and goes out
again after the restart. That window is kept small by (1) marking at once, one row (or one
coalesced card) per transaction, (2) spacing the sends (limits.py) so that few requests are
ever in flight, and (3) `max_in_flight`: at most that many requests are on the way at once, so
a `kill -9` duplicates at most that many messages (1 with max_in_flight=1). A message whose
request was sent but whose answer was lost (network) is retried and may also arrive twice:
Telegram has no idempotency key, and losing it would be worse. Rows with several steps (media
then text) record their progress in `telegram_message_id` while still pending, so a retry does
not send the media again.

Several processes (PostgreSQL): a worker claims the first due row of a chat with
`SELECT … FOR UPDATE SKIP LOCKED` and holds that lock through the request until the mark
commits, so another process skips the chat meanwhile and order holds. The rate limits are
kept per process, though: two senders together may reach twice the overall rate, and send to
one chat back to back. Run one sender per bot (or divide the limits between the senders).
On SQLite nothing is locked (one process per database, the polling set-up): the read ends
before the request, so that no transaction spans a network call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import aiohttp
from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
)
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.outbox.limits import RateLimiter, SenderLimits
from bot.outbox.render import Media, Rendered, Renderer
from db.models import IncidentCard, OutboxRow
from workflow.model import MediaKind

log = logging.getLogger(__name__)

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
KIND_MESSAGE = "message"
KIND_CARD = "card"
KIND_MEDIA = "media"  # a message whose renderer returns media; handled as "message"
DELIVERY_FAILED_KEY = "outbox.delivery_failed"

T = TypeVar("T")


@dataclass(frozen=True)
class SenderOptions:
    poll_interval: float = 2.0  # seconds between scans when nobody wakes the sender
    max_in_flight: int = 8  # requests on the way at once; also the database connections used
    max_active_chats: int = 256  # chats being worked on at once
    backoff_base: float = 1.0  # first delay after a network error or 5xx, doubled each time
    backoff_max: float = 60.0
    request_timeout: int = 30  # seconds, per API request
    max_unexpected_attempts: int = 5  # unknown errors (renderer bugs …) before a row fails
    shutdown_timeout: float = 10.0  # to finish the requests in flight when stopping
    mark_retries: int = 3  # tries to record a sent row before keeping it in memory


@dataclass(frozen=True)
class DeliveryFailure:
    chat_id: int
    error: str
    key: str  # the key of the row that failed
    row_ids: tuple[int, ...]  # every row given up, the failing one first
    chat_unreachable: bool  # the chat itself (not just this message) cannot be reached


FailureCallback = Callable[[AsyncSession, DeliveryFailure], Awaitable[None]]


def outbox_row(
    *,
    chat_id: int,
    key: str,
    now: datetime,
    kind: str = KIND_MESSAGE,
    params: dict[str, Any] | None = None,
    incident_id: int | None = None,
    locale: str = "ru",
    not_before: datetime | None = None,
) -> OutboxRow:
    """A new pending row; add it to the session of the change that causes it."""
    return OutboxRow(
        chat_id=chat_id,
        kind=kind,
        incident_id=incident_id,
        key=key,
        params=dict(params or {}),
        locale=locale,
        state=PENDING,
        not_before=not_before or now,
        attempts=0,
        created_at=now,
    )


def notify_admins(
    admin_chats: Callable[[AsyncSession], Awaitable[Iterable[int]]],
    *,
    clock: Clock | None = None,
    key: str = DELIVERY_FAILED_KEY,
    locale: str = "ru",
) -> FailureCallback:
    """A failure callback that writes a message row (key `key`) to every administrator chat.

    The failed chat itself is left out, and a failed notice is not reported again, so an
    unreachable administrator cannot start a loop.
    """
    clock = clock or SystemClock()

    async def callback(session: AsyncSession, failure: DeliveryFailure) -> None:
        if failure.key == key:
            return
        now = clock.now()
        for chat_id in await admin_chats(session):
            if chat_id == failure.chat_id:
                continue
            session.add(
                outbox_row(
                    chat_id=chat_id,
                    key=key,
                    now=now,
                    locale=locale,
                    params={
                        "chat_id": failure.chat_id,
                        "error": failure.error,
                        "messages": len(failure.row_ids),
                        "chat_unreachable": failure.chat_unreachable,
                    },
                )
            )

    return callback


async def prune_sent(session: AsyncSession, sent_before: datetime) -> int:
    """Delete rows sent before the moment (housekeeping); failed rows stay for inspection."""
    result = await session.execute(
        delete(OutboxRow).where(OutboxRow.state == SENT, OutboxRow.sent_at < sent_before)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- errors ----------------------------------------------------------------------------------


class Verdict(Enum):
    RETRY_AFTER = "retry_after"  # Telegram said when
    TRANSIENT = "transient"  # network, 5xx, database: retry with backoff, forever
    UNEXPECTED = "unexpected"  # unknown: retry with backoff, a few times
    ROW = "row"  # this message can never be sent
    CHAT = "chat"  # this chat cannot be reached


class RowError(Exception):
    """A row that cannot be delivered whatever happens (unknown kind, card of no incident)."""


class _Abandoned(Exception):
    """Another process took the row over while we were between two steps."""


class _Stopping(Exception):
    """The sender is stopping: leave before the next request."""


_CHAT_GONE = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "chat_id is empty",
    "group chat was deactivated",
    "chat was deactivated",
    "chat_write_forbidden",
    "not enough rights to send",
    "have no rights to send",
    "need administrator rights",
    "bot is not a member",
)
_MESSAGE_GONE = (
    "message to edit not found",
    "message can't be edited",
    "message_id_invalid",
    "there is no text in the message to edit",
)


def classify(error: BaseException) -> Verdict:
    if isinstance(error, TelegramRetryAfter):
        return Verdict.RETRY_AFTER
    if isinstance(error, TelegramMigrateToChat | TelegramForbiddenError):
        return Verdict.CHAT
    if isinstance(error, TelegramBadRequest):
        text = error.message.lower()
        return Verdict.CHAT if any(part in text for part in _CHAT_GONE) else Verdict.ROW
    # EntityTooLarge is a TelegramNetworkError in aiogram, but retrying cannot help it.
    if isinstance(error, TelegramEntityTooLarge | TelegramNotFound | RowError):
        return Verdict.ROW
    if isinstance(
        error,
        TelegramNetworkError
        | TelegramServerError
        | TelegramConflictError
        | TelegramUnauthorizedError
        | ClientDecodeError  # a proxy's HTML error page instead of the API's JSON
        | aiohttp.ClientError
        | TimeoutError
        | OSError
        | SQLAlchemyError,
    ):
        return Verdict.TRANSIENT
    return Verdict.UNEXPECTED


def _describe(error: BaseException) -> str:
    if isinstance(error, TelegramMigrateToChat):
        return f"{error.message} (the group is now {error.migrate_to_chat_id})"
    if isinstance(error, TelegramAPIError):
        return error.message
    return f"{type(error).__name__}: {error}"


def _is_not_modified(error: TelegramBadRequest) -> bool:
    return "message is not modified" in error.message.lower()


def _is_message_gone(error: TelegramBadRequest) -> bool:
    text = error.message.lower()
    return any(part in text for part in _MESSAGE_GONE)


# --- the sender ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claim:
    """What the sender needs of claimed rows, read before any commit."""

    chat_id: int
    kind: str
    key: str
    incident_id: int | None
    row_ids: tuple[int, ...]  # the head first; more only for coalesced card rows
    attempts: int
    progress_message_id: int | None  # media already sent for this pending row
    card_message_id: int | None

    @property
    def head_id(self) -> int:
        return self.row_ids[0]


@dataclass(frozen=True)
class _Sent:
    row_ids: tuple[int, ...]
    message_id: int
    incident_id: int | None  # set for cards: IncidentCard to record
    chat_id: int


class OutboxSender:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        bot: Bot,
        renderer: Renderer,
        limits: SenderLimits | None = None,
        *,
        options: SenderOptions | None = None,
        on_permanent_failure: FailureCallback | None = None,
        wake_event: asyncio.Event | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._sessions = session_factory
        self._bot = bot
        self._renderer = renderer
        self.limits = limits or SenderLimits()
        self.options = options or SenderOptions()
        self._on_failure = on_permanent_failure
        self._wake = wake_event
        self._clock = clock or SystemClock()
        self._limiter = RateLimiter(self.limits, sleep=self._pause)
        self._stop = asyncio.Event()
        self._rescan = asyncio.Event()
        self._in_flight = asyncio.Semaphore(self.options.max_in_flight)
        self._active: dict[int, asyncio.Task[None]] = {}
        self._skipped: set[int] = set()  # due chats a scan passed over: they had a worker
        self._failures: dict[int, int] = {}  # consecutive failures per chat, for the backoff
        # Rows sent whose mark could not be written (database trouble): marked, not resent.
        self._unmarked: dict[int, _Sent] = {}
        self._locks_rows: bool | None = None

    # --- the loop ---------------------------------------------------------------------------

    async def run(self, stop_event: asyncio.Event | None = None) -> None:
        """Deliver until `stop_event` is set; then finish the requests in flight and return."""
        watcher = asyncio.create_task(self._watch_stop(stop_event)) if stop_event else None
        try:
            while not self._stop.is_set():
                # Cleared before the scan, so that a wake-up during the scan is not lost.
                self._rescan.clear()
                if self._wake is not None:
                    self._wake.clear()
                delay = self.options.poll_interval
                try:
                    delay = await self._scan()
                except Exception:
                    log.exception("outbox: scanning for due rows failed")
                await self._idle(delay)
        finally:
            if watcher is not None:
                watcher.cancel()
            await self._shutdown()

    async def drain(self) -> None:
        """Deliver everything that is due now and return (tests, one-shot tools).

        Rows that keep failing transiently keep it waiting: bound it with asyncio.timeout.
        """
        while True:
            await self._scan()
            if not self._active:
                return
            await asyncio.wait(set(self._active.values()))

    async def _watch_stop(self, stop_event: asyncio.Event) -> None:
        await stop_event.wait()
        self._stop.set()

    async def _idle(self, delay: float) -> None:
        events = [self._stop, self._rescan] + ([self._wake] if self._wake else [])
        waiters = [asyncio.create_task(event.wait()) for event in events]
        try:
            await asyncio.wait(waiters, timeout=max(delay, 0.0), return_when="FIRST_COMPLETED")
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _shutdown(self) -> None:
        self._stop.set()
        tasks = list(self._active.values())
        if not tasks:
            return
        _done, pending = await asyncio.wait(tasks, timeout=self.options.shutdown_timeout)
        for task in pending:
            # A request cut off here may have reached Telegram: a possible duplicate.
            log.warning("outbox: %s cancelled with a request on the way", task.get_name())
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _scan(self) -> float:
        """Start workers for chats with due rows; return how long to wait before the next scan."""
        self._limiter.forget_idle()
        room = self.options.max_active_chats - len(self._active)
        now = self._clock.now()
        first = func.min(OutboxRow.id)
        async with self._sessions() as session:
            due = await session.execute(
                select(OutboxRow.chat_id, first)
                .where(OutboxRow.state == PENDING, OutboxRow.not_before <= now)
                .group_by(OutboxRow.chat_id)
                .order_by(first)
                .limit(room + len(self._active))
            )
            chats = [chat_id for chat_id, _ in due.all()]
            next_due = await session.scalar(
                select(func.min(OutboxRow.not_before)).where(
                    OutboxRow.state == PENDING, OutboxRow.not_before > now
                )
            )
        for chat_id in chats:
            if chat_id in self._active:
                self._skipped.add(chat_id)
                continue
            if len(self._active) >= self.options.max_active_chats:
                break
            self._active[chat_id] = asyncio.create_task(
                self._chat_worker(chat_id), name=f"outbox-chat-{chat_id}"
            )
        delay = self.options.poll_interval
        if next_due is not None:
            delay = min(delay, (next_due - now).total_seconds())
        return delay

    async def _pause(self, seconds: float) -> None:
        """Sleep, but leave at once (raising _Stopping) when the sender stops."""
        if self._stop.is_set():
            raise _Stopping
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
        if self._stop.is_set():
            raise _Stopping

    async def _chat_worker(self, chat_id: int) -> None:
        try:
            while not self._stop.is_set():
                await self._limiter.wait_chat(chat_id)
                if not await self._deliver_next(chat_id):
                    return
        except _Stopping:
            pass
        except Exception:
            log.exception("outbox: the worker of chat %s failed", chat_id)
            self._limiter.block_chat(chat_id, self._backoff(chat_id))
        finally:
            self._active.pop(chat_id, None)
            if chat_id in self._skipped:
                # A scan saw new rows for this chat while the worker was finishing: look
                # again now rather than at the next poll. (Not after every worker: one that
                # found nothing because another process holds the chat would spin.)
                self._skipped.discard(chat_id)
                self._rescan.set()

    # --- one row ----------------------------------------------------------------------------

    async def _deliver_next(self, chat_id: int) -> bool:
        """Deliver the chat's next due row (or coalesced card); False when there is none."""
        async with self._in_flight, self._sessions() as session:
            claim = await self._claim(session, chat_id)
            if claim is None:
                return False
            sent = self._unmarked.get(claim.head_id)
            if sent is None:
                try:
                    sent = await self._render_and_send(session, claim)
                except (_Stopping, asyncio.CancelledError):
                    raise
                except _Abandoned:
                    return True
                except Exception as error:
                    await self._failed(session, claim, error)
                    return True
            # The request succeeded: record it before doing anything else. Until this
            # commits, a crash means this message goes out again after the restart.
            await self._mark_sent(session, sent)
        self._failures.pop(chat_id, None)
        return True

    async def _claim(self, session: AsyncSession, chat_id: int) -> _Claim | None:
        if self._locks_rows is None:
            self._locks_rows = session.get_bind().dialect.name == "postgresql"
        now = self._clock.now()
        due = and_(
            OutboxRow.chat_id == chat_id,
            OutboxRow.state == PENDING,
            OutboxRow.not_before <= now,
        )
        # Lock the chat's first due row, or nothing when another process holds it: taking
        # the next one instead would break the order. The repeated state test matters on
        # PostgreSQL, which re-checks it on the newest version of a row it waited for.
        head_id = select(func.min(OutboxRow.id)).where(due).scalar_subquery()
        head = await session.scalar(
            select(OutboxRow)
            .where(OutboxRow.id == head_id, OutboxRow.state == PENDING)
            .with_for_update(skip_locked=True)
        )
        if head is None:
            return None
        row_ids = [head.id]
        card_message_id = None
        if head.kind == KIND_CARD and head.incident_id is not None:
            later = await session.scalars(
                select(OutboxRow.id)
                .where(
                    due,
                    OutboxRow.kind == KIND_CARD,
                    OutboxRow.incident_id == head.incident_id,
                    OutboxRow.id > head.id,
                )
                .order_by(OutboxRow.id)
                .with_for_update()
            )
            row_ids += later.all()
            card_message_id = await session.scalar(
                select(IncidentCard.message_id).where(
                    IncidentCard.incident_id == head.incident_id,
                    IncidentCard.chat_id == chat_id,
                )
            )
        return _Claim(
            chat_id=chat_id,
            kind=head.kind,
            key=head.key,
            incident_id=head.incident_id,
            row_ids=tuple(row_ids),
            attempts=head.attempts,
            progress_message_id=head.telegram_message_id,
            card_message_id=card_message_id,
        )

    async def _render_and_send(self, session: AsyncSession, claim: _Claim) -> _Sent:
        if claim.kind not in (KIND_MESSAGE, KIND_CARD, KIND_MEDIA):
            raise RowError(f"unknown outbox kind {claim.kind!r}")
        if claim.kind == KIND_CARD and claim.incident_id is None:
            raise RowError("a card row without its incident (deleted?)")
        # The newest row of a coalesced card carries the newest parameters.
        newest = await session.get(OutboxRow, claim.row_ids[-1])
        if newest is None:
            raise RowError(f"outbox row {claim.row_ids[-1]} vanished")
        rendered = await self._renderer(session, newest)
        if not self._locks_rows:
            # SQLite: end any read before the request; no transaction spans a network call.
            await session.commit()
        if claim.kind == KIND_CARD:
            message_id = await self._send_card(session, claim, rendered)
            return _Sent(claim.row_ids, message_id, claim.incident_id, claim.chat_id)
        message_id = await self._send_new(session, claim, rendered, as_card=False)
        return _Sent(claim.row_ids, message_id, None, claim.chat_id)

    async def _send_card(self, session: AsyncSession, claim: _Claim, rendered: Rendered) -> int:
        if claim.card_message_id is not None:
            message_id = claim.card_message_id
            try:
                await self._call(
                    claim.chat_id,
                    lambda: self._bot.edit_message_text(
                        chat_id=claim.chat_id,
                        message_id=message_id,
                        text=rendered.text,
                        parse_mode=ParseMode.HTML,
                        reply_markup=rendered.keyboard,
                        request_timeout=self.options.request_timeout,
                    ),
                )
                return message_id
            except TelegramBadRequest as error:
                if _is_not_modified(error):
                    return message_id
                if not _is_message_gone(error):
                    raise
                log.info(
                    "outbox: card of incident %s in chat %s is gone (%s); sending a new one",
                    claim.incident_id,
                    claim.chat_id,
                    error.message,
                )
        return await self._send_new(session, claim, rendered, as_card=True)

    async def _send_new(
        self, session: AsyncSession, claim: _Claim, rendered: Rendered, *, as_card: bool
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
                        request_timeout=self.options.request_timeout,
                    ),
                    cost=len(media),
                )
                first_id = album[0].message_id
            await self._checkpoint(session, claim, first_id)
        message = await self._call(
            chat_id,
            lambda: self._bot.send_message(
                chat_id=chat_id,
                text=rendered.text,
                parse_mode=ParseMode.HTML,
                reply_markup=rendered.keyboard,
                request_timeout=self.options.request_timeout,
            ),
        )
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
            "request_timeout": self.options.request_timeout,
        }
        if item.kind == MediaKind.PHOTO:
            return self._bot.send_photo(photo=item.file_id, **common)
        if item.kind == MediaKind.VIDEO:
            return self._bot.send_video(video=item.file_id, **common)
        return self._bot.send_document(document=item.file_id, **common)

    async def _call(self, chat_id: int, request: Callable[[], Awaitable[T]], *, cost: int = 1) -> T:
        # The slot is taken right before the request, so that the spacing the limiter keeps
        # is the spacing Telegram sees.
        await self._limiter.acquire(chat_id, cost)
        return await request()

    async def _checkpoint(
        self, session: AsyncSession, claim: _Claim, media_message_id: int
    ) -> None:
        """Record that the media of a two-step row went out (the row stays pending)."""
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == claim.head_id)
            .values(telegram_message_id=media_message_id)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        if self._locks_rows:
            # The commit released our locks; take them again, or let whoever took them go on.
            relocked = await session.scalars(
                select(OutboxRow.id)
                .where(OutboxRow.id.in_(claim.row_ids), OutboxRow.state == PENDING)
                .with_for_update(skip_locked=True)
            )
            if claim.head_id not in set(relocked.all()):
                raise _Abandoned

    # --- outcomes ---------------------------------------------------------------------------

    async def _mark_sent(self, session: AsyncSession, sent: _Sent) -> None:
        for attempt in range(self.options.mark_retries):
            current = session if attempt == 0 else self._sessions()
            try:
                await self._write_sent(current, sent)
                self._unmarked.pop(sent.row_ids[0], None)
                return
            except SQLAlchemyError:
                log.exception("outbox: could not record rows %s as sent", sent.row_ids)
                with contextlib.suppress(SQLAlchemyError):
                    await current.rollback()
                await asyncio.sleep(0.1 * (attempt + 1))
            finally:
                if current is not session:
                    await current.close()
        # Still not recorded: remember it, so that this process marks it instead of resending.
        self._unmarked[sent.row_ids[0]] = sent
        self._limiter.block_chat(sent.chat_id, self._backoff(sent.chat_id))

    async def _write_sent(self, session: AsyncSession, sent: _Sent) -> None:
        now = self._clock.now()
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(sent.row_ids), OutboxRow.state == PENDING)
            .values(
                state=SENT,
                sent_at=now,
                telegram_message_id=sent.message_id,
                attempts=OutboxRow.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if sent.incident_id is not None:
            card = await session.scalar(
                select(IncidentCard).where(
                    IncidentCard.incident_id == sent.incident_id,
                    IncidentCard.chat_id == sent.chat_id,
                )
            )
            if card is None:
                session.add(
                    IncidentCard(
                        incident_id=sent.incident_id,
                        chat_id=sent.chat_id,
                        message_id=sent.message_id,
                        updated_at=now,
                    )
                )
            else:
                card.message_id = sent.message_id
                card.updated_at = now
        await session.commit()

    def _backoff(self, chat_id: int) -> float:
        failures = self._failures[chat_id] = self._failures.get(chat_id, 0) + 1
        delay = min(self.options.backoff_max, self.options.backoff_base * 2 ** (failures - 1))
        return delay * random.uniform(0.5, 1.0)  # jitter: chats hit together retry apart

    async def _failed(self, session: AsyncSession, claim: _Claim, error: Exception) -> None:
        verdict = classify(error)
        description = _describe(error)
        if (
            verdict is Verdict.UNEXPECTED
            and claim.attempts + 1 >= self.options.max_unexpected_attempts
        ):
            log.error(
                "outbox: row %s failed %s times, giving up",
                claim.head_id,
                claim.attempts + 1,
                exc_info=error,
            )
            verdict = Verdict.ROW
        if verdict in (Verdict.ROW, Verdict.CHAT):
            await self._give_up(session, claim, description, chat=verdict is Verdict.CHAT)
            return
        if isinstance(error, TelegramRetryAfter):
            delay = float(error.retry_after)
            log.info("outbox: chat %s: retry after %s s", claim.chat_id, error.retry_after)
        else:
            delay = self._backoff(claim.chat_id)
            if verdict is Verdict.UNEXPECTED or isinstance(error, TelegramUnauthorizedError):
                log.error("outbox: row %s: %s", claim.head_id, description, exc_info=error)
            else:
                log.info(
                    "outbox: chat %s: %s; retrying in %.1f s", claim.chat_id, description, delay
                )
        self._limiter.block_chat(claim.chat_id, delay)
        await self._write_safely(session, lambda s: self._count_attempt(s, claim, description))

    async def _count_attempt(self, session: AsyncSession, claim: _Claim, error: str) -> None:
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == claim.head_id, OutboxRow.state == PENDING)
            .values(attempts=OutboxRow.attempts + 1, last_error=error[:2000])
            .execution_options(synchronize_session=False)
        )

    async def _give_up(
        self, session: AsyncSession, claim: _Claim, error: str, *, chat: bool
    ) -> None:
        async def write(session: AsyncSession) -> DeliveryFailure:
            skipped: list[int] = []
            if chat:
                rest = await session.scalars(
                    select(OutboxRow.id).where(
                        OutboxRow.chat_id == claim.chat_id,
                        OutboxRow.state == PENDING,
                        OutboxRow.id.not_in(claim.row_ids),
                    )
                )
                skipped = list(rest.all())
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(claim.row_ids), OutboxRow.state == PENDING)
                .values(state=FAILED, attempts=OutboxRow.attempts + 1, last_error=error[:2000])
                .execution_options(synchronize_session=False)
            )
            if skipped:
                await session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id.in_(skipped), OutboxRow.state == PENDING)
                    .values(state=FAILED, last_error=f"skipped: {error}"[:2000])
                    .execution_options(synchronize_session=False)
                )
            failure = DeliveryFailure(
                chat_id=claim.chat_id,
                error=error,
                key=claim.key,
                row_ids=(*claim.row_ids, *skipped),
                chat_unreachable=chat,
            )
            if self._on_failure is not None:
                await self._on_failure(session, failure)
            return failure

        failure = await self._write_safely(session, write)
        if failure is None:
            # Not recorded (database trouble, or the callback failed): try again later.
            self._limiter.block_chat(claim.chat_id, self._backoff(claim.chat_id))
            return
        log.warning(
            "outbox: gave up %d message(s) to chat %s (%s): %s",
            len(failure.row_ids),
            claim.chat_id,
            "chat unreachable" if chat else "message rejected",
            error,
        )

    async def _write_safely(
        self, session: AsyncSession, write: Callable[[AsyncSession], Awaitable[T]]
    ) -> T | None:
        """Run `write` and commit; after a database error retry once in a clean transaction."""
        for attempt in range(2):
            try:
                result = await write(session)
                await session.commit()
                return result
            except SQLAlchemyError:
                log.exception("outbox: could not record an outcome (attempt %d)", attempt + 1)
                with contextlib.suppress(SQLAlchemyError):
                    await session.rollback()
            except Exception:
                log.exception("outbox: the failure callback failed")
                with contextlib.suppress(SQLAlchemyError):
                    await session.rollback()
                return None
        return None


def _input_media(item: Media) -> InputMediaPhoto | InputMediaVideo | InputMediaDocument:
    if item.kind == MediaKind.PHOTO:
        return InputMediaPhoto(media=item.file_id)
    if item.kind == MediaKind.VIDEO:
        return InputMediaVideo(media=item.file_id)
    return InputMediaDocument(media=item.file_id)


async def run_sender(
    session_factory: async_sessionmaker[AsyncSession],
    bot: Bot,
    renderer: Renderer,
    limits: SenderLimits | None = None,
    stop_event: asyncio.Event | None = None,
    *,
    options: SenderOptions | None = None,
    on_permanent_failure: FailureCallback | None = None,
    wake_event: asyncio.Event | None = None,
    clock: Clock | None = None,
) -> None:
    """Run the sender until `stop_event` is set (forever without one)."""
    sender = OutboxSender(
        session_factory,
        bot,
        renderer,
        limits,
        options=options,
        on_permanent_failure=on_permanent_failure,
        wake_event=wake_event,
        clock=clock,
    )
    await sender.run(stop_event)
