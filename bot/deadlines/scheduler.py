"""APScheduler wiring: the periodic deadline tick, an exact wake-up, the digests.

Only these few fixed jobs live in APScheduler (ARCHITECTURE.md: deadlines are rows, not
jobs), all in memory: nothing is lost when the process stops, because the rows say what is
due and the first tick after a start catches up.

- `deadlines.tick` every `tick_interval` (first run at start: the catch-up);
- `deadlines.wake`, a one-off at the next due alert when that comes before the next tick,
  re-arranged after every tick;
- `deadlines.settle`, a one-off set to "now" by `poke()` after a command commits (wire it
  to `IncidentService(on_committed=…)`): it sets up the ladders of the new deadlines and
  brings the wake-up forward when one of them is due before it (`DeadlineScanner.settle`),
  a few statements and no scan; a burst of presses before it runs makes one settle;
- `deadlines.digests` every `digest_interval`: sends whatever digest is due.

Ticks never overlap within a process (a lock); across processes the scanner's row claims
keep them apart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.deadlines.digests import DigestSender
from bot.deadlines.report_schedule import ScheduledReports
from bot.deadlines.scanner import DeadlineScanner, TickReport

log = logging.getLogger(__name__)

TICK_JOB = "deadlines.tick"
WAKE_JOB = "deadlines.wake"
SETTLE_JOB = "deadlines.settle"
DIGEST_JOB = "deadlines.digests"


def wake_up_at(
    next_due: datetime | None, now: datetime, tick_interval: timedelta
) -> datetime | None:
    """When to wake before the next periodic tick; None when the tick comes first anyway."""
    if next_due is None or next_due - now >= tick_interval:
        return None
    return max(next_due, now)


class DeadlineScheduler:
    def __init__(
        self,
        scanner: DeadlineScanner,
        digests: DigestSender | None,
        clock: Clock,
        *,
        tick_interval: timedelta = timedelta(seconds=30),
        digest_interval: timedelta = timedelta(minutes=1),
        scheduler: AsyncIOScheduler | None = None,
        reports: ScheduledReports | None = None,
    ) -> None:
        if tick_interval <= timedelta(0) or digest_interval <= timedelta(0):
            raise ValueError("the intervals must be positive")
        self.scanner = scanner
        self.digests = digests
        self.reports = reports  # the monthly report and quarterly rating, at digest time
        self._clock = clock
        self.tick_interval = tick_interval
        self.digest_interval = digest_interval
        self.scheduler = scheduler or AsyncIOScheduler(timezone="UTC")
        self._tick_lock = asyncio.Lock()
        self._running: set[asyncio.Task[None]] = set()
        self._stopped = False

    def start(self, *, paused: bool = False) -> None:
        """Add the jobs and start; needs the running event loop."""
        now = self._clock.now()
        self.scheduler.add_job(
            self._tick_job,
            "interval",
            seconds=self.tick_interval.total_seconds(),
            id=TICK_JOB,
            next_run_time=now,  # catch up at once after a restart
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            replace_existing=True,
        )
        if self.digests is not None:
            self.scheduler.add_job(
                self._digest_job,
                "interval",
                seconds=self.digest_interval.total_seconds(),
                id=DIGEST_JOB,
                next_run_time=now,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
                replace_existing=True,
            )
        self.scheduler.start(paused=paused)

    async def shutdown(self) -> None:
        """Stop the jobs and wait for a scan or digest run in progress to finish."""
        self._stopped = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        running = [task for task in self._running if task is not asyncio.current_task()]
        if running:
            await asyncio.gather(*running, return_exceptions=True)

    def poke(self) -> None:
        """Settle as soon as possible (after a commit that may have started deadlines)."""
        if not self.scheduler.running:
            return
        self.scheduler.add_job(
            self._settle_job,
            "date",
            run_date=self._clock.now(),
            id=SETTLE_JOB,
            misfire_grace_time=None,
            replace_existing=True,
        )

    def expect(self, moment: datetime) -> None:
        """A reminder was set up for `moment` (in a step's own transaction): wake no later."""
        wake = wake_up_at(moment, self._clock.now(), self.tick_interval)
        if wake is not None and self.scheduler.running:
            planned = self.scheduler.get_job(WAKE_JOB)
            if planned is None or planned.next_run_time is None or wake < planned.next_run_time:
                self._wake_at(wake)

    async def settle(self) -> datetime | None:
        """Set up new ladders and wake up no later than their first alert; returns that
        moment (None: nothing new)."""
        async with self._tick_lock:
            moment = await self.scanner.settle()
        if moment is not None:
            self.expect(moment)
        return moment

    async def tick(self) -> TickReport:
        """One scan, then an exact wake-up for the next due alert if it beats the tick."""
        async with self._tick_lock:
            report = await self.scanner.tick()
            next_due = await self.scanner.next_due()
        moment = wake_up_at(next_due, self._clock.now(), self.tick_interval)
        if moment is None:
            self._cancel_wake()
        else:
            self._wake_at(moment)
        return report

    async def send_digests(self) -> int:
        written = await self.digests.run() if self.digests is not None else 0
        if self.reports is not None:
            written += await self.reports.run()
        return written

    def _wake_at(self, moment: datetime) -> None:
        if not self.scheduler.running:
            return
        self.scheduler.add_job(
            self._tick_job,
            "date",
            run_date=moment,
            id=WAKE_JOB,
            misfire_grace_time=None,
            replace_existing=True,
        )

    def _cancel_wake(self) -> None:
        if self.scheduler.running and self.scheduler.get_job(WAKE_JOB) is not None:
            self.scheduler.remove_job(WAKE_JOB)

    async def _tick_job(self) -> None:
        if self._stopped:
            return
        with self._tracked():
            try:
                await self.tick()
            except Exception:
                # The next tick tries again; nothing was half-written (a transaction a batch).
                log.exception("deadline scan failed")

    async def _settle_job(self) -> None:
        if self._stopped:
            return
        with self._tracked():
            try:
                await self.settle()
            except Exception:
                # The periodic tick sets the ladders up instead.
                log.exception("deadline settle failed")

    async def _digest_job(self) -> None:
        if self._stopped:
            return
        with self._tracked():
            try:
                await self.send_digests()
            except Exception:
                log.exception("digest run failed")

    @contextmanager
    def _tracked(self) -> Iterator[None]:
        """Keep the job's task known, so that shutdown can wait for it."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._running.discard(task)
