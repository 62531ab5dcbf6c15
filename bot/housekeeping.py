"""Pruning on a schedule: sent outbox rows and old intake records, by the retention settings;
and, on the same schedule, storing the report facts of incidents closed since (reports read
them instead of judging each closed incident again: db/models_reports.py ReportFact).

What still reads old rows is kept whatever the settings say: the digests' once-a-day check
looks for an earlier copy in the outbox up to `DIGEST_LOOK_BACK` back, so digest rows are
kept at least that long (else a restart could send a morning's digest twice). Several
processes may prune at once: a delete of rows already gone deletes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.deadlines.digests import DIGEST_DAILY, DIGEST_LOOK_BACK, DIGEST_WEEKLY
from db.uow import UnitOfWork

log = logging.getLogger(__name__)

PRUNE_INTERVAL = timedelta(hours=1)
_BATCH = 5000


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long rows are kept; None keeps them for ever."""

    outbox: timedelta | None = timedelta(days=30)
    intake: timedelta | None = timedelta(days=180)


@dataclass(frozen=True, slots=True)
class Pruned:
    outbox: int = 0
    intake: int = 0


class Housekeeper:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        policy: RetentionPolicy,
        *,
        interval: timedelta = PRUNE_INTERVAL,
        batch: int = _BATCH,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self.policy = policy
        self._interval = interval
        self._batch = batch

    async def prune(self) -> Pruned:
        """Delete what is past its retention, one batch a transaction."""
        now = self._clock.now()
        outbox = intake = 0
        if self.policy.outbox is not None:
            outbox = await self._batches(now - self.policy.outbox, self._outbox_batch)
        if self.policy.intake is not None:
            intake = await self._batches(now - self.policy.intake, self._intake_batch)
        if outbox or intake:
            log.info("pruned %d sent outbox rows and %d repeated posts", outbox, intake)
        return Pruned(outbox=outbox, intake=intake)

    async def store_report_facts(self) -> int:
        """Store the report facts of closed incidents not stored at their present version,
        one batch a transaction; returns how many."""
        total = last = 0
        while True:
            async with UnitOfWork(self._sessions, write=True) as uow:
                stored, last = await uow.reports.store_facts(self._clock.now(), self._batch, last)
            total += stored
            if stored < self._batch:
                return total

    async def run(self, stop: asyncio.Event) -> None:
        """Prune and store report facts at start and then every interval until `stop` is
        set; a failure is logged and tried again next time (neither is ever urgent: a
        report judges the incidents whose facts are not stored)."""
        while not stop.is_set():
            try:
                await self.prune()
            except Exception:
                log.exception("pruning failed; trying again in %s", self._interval)
            try:
                await self.store_report_facts()
            except Exception:
                log.exception("storing report facts failed; trying again in %s", self._interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval.total_seconds())

    async def _batches(
        self, before: datetime, one: Callable[[UnitOfWork, datetime], Awaitable[int]]
    ) -> int:
        total = 0
        while True:
            async with UnitOfWork(self._sessions, write=True) as uow:
                deleted = await one(uow, before)
            total += deleted
            if deleted < self._batch:
                return total

    async def _outbox_batch(self, uow: UnitOfWork, before: datetime) -> int:
        return await uow.retention.prune_outbox(
            before,
            keep_keys=(DIGEST_DAILY, DIGEST_WEEKLY),
            keep_since=self._clock.now() - DIGEST_LOOK_BACK - timedelta(days=1),
            limit=self._batch,
        )

    async def _intake_batch(self, uow: UnitOfWork, before: datetime) -> int:
        return await uow.retention.prune_repeats(before, limit=self._batch)
