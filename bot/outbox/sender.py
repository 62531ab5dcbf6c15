"""The outbox sender: delivers outbox rows to Telegram, by priority per chat, within the limits.

Writers add rows through the one writer (bot/services/outbox_writer.py) in the transaction of
the change that causes them, and may set a wake-up event after the commit. The sender:

- scans for chats with due pending rows (`not_before` <= now) and runs one worker per chat,
  so a chat waiting on `retry_after` or a backoff never holds the others;
- sends a chat's due rows by priority (the answer to a person's own press, then what needs
  someone to act, then notices; `Priority`), in id order within one priority. A row whose
  `not_before` is still ahead (quiet hours) does not hold later due rows of its chat;
- for kind "card" edits the incident's card in that chat in place, or sends it when there is
  none or it is gone; the due card rows of one (incident, chat) coalesce into one request,
  rendered from the newest row, and are all marked sent (delivery.py);
- summarises a flood of first cards into one chat (flood.py), and keeps a few slots of a
  group's window (`reply_reserve`) for replies, so a press is answered within a second or
  two even while a long queue drains into that group at its full rate;
- keeps Telegram's limits (limits.py), honours 429 `retry_after`, retries network faults and
  5xx with exponential backoff and jitter, and gives up only on permanent errors (errors.py,
  outcomes.py).

Permanent errors. When a chat is unreachable (400 chat not found, 403 blocked, kicked,
deactivated, group migrated), the row and every other pending row of that chat are marked
'failed' ("skipped: …"), logged at WARNING, and `on_permanent_failure(uow, failure)` runs
in the same unit of work (to tell the administrators: `notify_admins`). Rows that are written
later for that chat are tried again: the person may have unblocked the bot. When only the row
is bad (400 can't parse entities, message too long, …), only that row fails.

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
kept per process, though, so `run_bot` runs the sender only in the process elected by an
advisory lock (election.py): one sender per bot at a time.

SQLite (one process, shared with the intake): nothing is locked, the read ends before the
request, and every write is one short transaction (a mark, a summary), so the sender never
holds the one writer's lock across a network call and waits at most one intake transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.outbox.delivery import Delivery
from bot.outbox.errors import Abandoned, Stopping
from bot.outbox.flood import FloodGuard, OpenCardData
from bot.outbox.limits import RateLimiter, SenderLimits
from bot.outbox.notices import FailureCallback
from bot.outbox.options import SenderOptions
from bot.outbox.outcomes import Outcomes
from bot.outbox.render import Renderer
from bot.services.outbox_writer import OutboxWriter
from db.outbox_repository import OutboxRepository, Priority
from db.uow import UnitOfWork

log = logging.getLogger(__name__)


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
        writer: OutboxWriter | None = None,
        open_card_data: OpenCardData | None = None,
    ) -> None:
        self._sessions = session_factory
        self.limits = limits or SenderLimits()
        self.options = options or SenderOptions()
        self._wake = wake_event
        self._clock = clock or SystemClock()
        self._limiter = RateLimiter(self.limits, sleep=self._pause)
        self._delivery = Delivery(
            bot,
            renderer,
            self._limiter,
            request_timeout=self.options.request_timeout,
            open_card_data=open_card_data,
        )
        self._outcomes = Outcomes(
            session_factory, self._limiter, self.options, self._clock, on_permanent_failure
        )
        self._flood = FloodGuard(
            session_factory, writer or OutboxWriter("ru"), self.options.flood_threshold
        )
        self._stop = asyncio.Event()
        self._rescan = asyncio.Event()
        self._in_flight = asyncio.Semaphore(self.options.max_in_flight)
        self._active: dict[int, asyncio.Task[None]] = {}
        self._skipped: set[int] = set()  # due chats a scan passed over: they had a worker
        self._flood_checked: dict[int, int] = {}  # chat -> the head row last checked for

    # --- the loop ---------------------------------------------------------------------------

    async def run(self, stop_event: asyncio.Event | None = None) -> None:
        """Deliver until `stop_event` is set; then finish the requests in flight and return.
        May be run again after it returned (a process elected the sender again)."""
        self._stop.clear()
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
        async with UnitOfWork(self._sessions) as uow:
            chats = await uow.outbox.due_chats(now, room + len(self._active))
            next_due = await uow.outbox.next_due(now)
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
        """Sleep, but leave at once (raising Stopping) when the sender stops."""
        if self._stop.is_set():
            raise Stopping
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
        if self._stop.is_set():
            raise Stopping

    async def _chat_worker(self, chat_id: int) -> None:
        try:
            while not self._stop.is_set():
                await self._limiter.wait_chat(chat_id)
                outcome = await self._deliver_next(chat_id)
                if outcome is False:
                    return
                if outcome is not True:
                    # Only the group's reserve is left: look again soon, for a reply.
                    await self._pause(min(outcome, self.options.reserve_recheck))
        except Stopping:
            pass
        except Exception:
            log.exception("outbox: the worker of chat %s failed", chat_id)
            self._limiter.block_chat(chat_id, self._outcomes.backoff(chat_id))
        finally:
            self._active.pop(chat_id, None)
            self._flood_checked.pop(chat_id, None)
            if chat_id in self._skipped:
                # A scan saw new rows for this chat while the worker was finishing: look
                # again now rather than at the next poll. (Not after every worker: one that
                # found nothing because another process holds the chat would spin.)
                self._skipped.discard(chat_id)
                self._rescan.set()

    async def _deliver_next(self, chat_id: int) -> bool | float:
        """Deliver the chat's next due row (or coalesced card); False when there is none, the
        seconds to wait when the next row is no reply and only the reply reserve is left."""
        async with self._in_flight, self._sessions() as session:
            claim = await OutboxRepository(session).claim(chat_id, self._clock.now())
            if claim is None:
                return False
            if (
                self._flood.threshold
                and claim.first_card
                and self._flood_checked.get(chat_id) != claim.head_id
            ):
                # A first card is next: is it one of a flood? (Asked once per head row, so
                # that a chat without first cards waiting pays nothing for it.)
                self._flood_checked[chat_id] = claim.head_id
                await session.rollback()
                await self._flood.summarise(chat_id, self._clock.now())
                return True
            if claim.priority is not Priority.REPLY:
                wait = self._limiter.reserve_delay(chat_id, self.options.reply_reserve)
                if wait > 0:
                    await session.rollback()  # let go of the claim while we wait
                    return wait
            sent = self._outcomes.unmarked.get(claim.head_id)
            if sent is None:
                try:
                    sent = await self._delivery.send(session, claim)
                except (Stopping, asyncio.CancelledError):
                    raise
                except Abandoned:
                    return True
                except Exception as error:
                    await self._outcomes.failed(session, claim, error)
                    return True
            # The request succeeded: record it before doing anything else. Until this
            # commits, a crash means this message goes out again after the restart.
            await self._outcomes.mark_sent(session, sent)
        self._outcomes.succeeded(chat_id)
        # The chat's last due row: the worker ends here rather than ask once more (a row
        # written meanwhile woke a scan, which sees this worker and looks again after it).
        return not claim.last


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
