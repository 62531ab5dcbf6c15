"""Recording what became of a request: sent, to be retried, or given up.

A row is marked sent in a short transaction right after the request returns, before anything
else (see sender.py on crash safety). A failure is retried with backoff and jitter, after a
429 when Telegram says; a permanent one fails the row, or every pending row of an
unreachable chat, and tells the administrators in the same transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram.exceptions import TelegramRetryAfter, TelegramUnauthorizedError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.outbox.delivery import Sent
from bot.outbox.errors import Verdict, classify, describe
from bot.outbox.limits import RateLimiter
from bot.outbox.notices import DeliveryFailure, FailureCallback
from bot.outbox.options import SenderOptions
from db.outbox_repository import Claim, OutboxRepository
from db.uow import UnitOfWork

log = logging.getLogger("bot.outbox.sender")

T = TypeVar("T")


class Outcomes:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        limiter: RateLimiter,
        options: SenderOptions,
        clock: Clock,
        on_failure: FailureCallback | None,
    ) -> None:
        self._sessions = sessions
        self._limiter = limiter
        self._options = options
        self._clock = clock
        self._on_failure = on_failure
        self._failures: dict[int, int] = {}  # consecutive failures per chat, for the backoff
        # Rows sent whose mark could not be written (database trouble): marked, not resent.
        self.unmarked: dict[int, Sent] = {}

    def succeeded(self, chat_id: int) -> None:
        self._failures.pop(chat_id, None)

    def backoff(self, chat_id: int) -> float:
        failures = self._failures[chat_id] = self._failures.get(chat_id, 0) + 1
        delay = min(self._options.backoff_max, self._options.backoff_base * 2 ** (failures - 1))
        return delay * random.uniform(0.5, 1.0)  # jitter: chats hit together retry apart

    # --- sent -----------------------------------------------------------------------------------

    async def mark_sent(self, session: AsyncSession, sent: Sent) -> None:
        for attempt in range(self._options.mark_retries):
            current = session if attempt == 0 else self._sessions()
            try:
                card_of = None if sent.incident_id is None else (sent.incident_id, sent.chat_id)
                await OutboxRepository(current).mark_sent(
                    sent.row_ids, sent.message_id, self._clock.now(), card_of=card_of
                )
                await current.commit()
                self.unmarked.pop(sent.row_ids[0], None)
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
        self.unmarked[sent.row_ids[0]] = sent
        self._limiter.block_chat(sent.chat_id, self.backoff(sent.chat_id))

    # --- failed ---------------------------------------------------------------------------------

    async def failed(self, session: AsyncSession, claim: Claim, error: Exception) -> None:
        verdict = classify(error)
        description = describe(error)
        if (
            verdict is Verdict.UNEXPECTED
            and claim.attempts + 1 >= self._options.max_unexpected_attempts
        ):
            log.error(
                "outbox: row %s failed %s times, giving up",
                claim.head_id,
                claim.attempts + 1,
                exc_info=error,
            )
            verdict = Verdict.ROW
        if verdict in (Verdict.ROW, Verdict.CHAT):
            # The claim's transaction ends first: the failure and the notices it causes are
            # one unit of work of their own (on PostgreSQL our row locks would block it).
            with contextlib.suppress(SQLAlchemyError):
                await session.rollback()
            await self._give_up(claim, description, chat=verdict is Verdict.CHAT)
            return
        if isinstance(error, TelegramRetryAfter):
            delay = float(error.retry_after)
            log.info("outbox: chat %s: retry after %s s", claim.chat_id, error.retry_after)
        else:
            delay = self.backoff(claim.chat_id)
            if verdict is Verdict.UNEXPECTED or isinstance(error, TelegramUnauthorizedError):
                log.error("outbox: row %s: %s", claim.head_id, description, exc_info=error)
            else:
                log.info(
                    "outbox: chat %s: %s; retrying in %.1f s", claim.chat_id, description, delay
                )
        self._limiter.block_chat(claim.chat_id, delay)

        async def count(session: AsyncSession) -> None:
            await OutboxRepository(session).count_attempt(claim.head_id, description)

        await self._write_safely(session, count)

    async def _give_up(self, claim: Claim, error: str, *, chat: bool) -> None:
        failure: DeliveryFailure | None = None
        for attempt in range(2):
            try:
                async with UnitOfWork(self._sessions) as uow:
                    given_up = await uow.outbox.give_up(
                        claim.row_ids, error, whole_chat=claim.chat_id if chat else None
                    )
                    if not given_up:
                        return  # another process recorded it (and told the admins)
                    failure = DeliveryFailure(
                        chat_id=claim.chat_id,
                        error=error,
                        key=claim.key,
                        row_ids=given_up,
                        chat_unreachable=chat,
                    )
                    if self._on_failure is not None:
                        await self._on_failure(uow, failure)
                break
            except SQLAlchemyError:
                log.exception("outbox: could not record a failure (attempt %d)", attempt + 1)
                failure = None
            except Exception:
                log.exception("outbox: the failure callback failed")
                failure = None
                break
        if failure is None:
            # Not recorded (database trouble, or the callback failed): try again later.
            self._limiter.block_chat(claim.chat_id, self.backoff(claim.chat_id))
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
        return None
