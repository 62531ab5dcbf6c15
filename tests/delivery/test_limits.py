"""The rate limiter on a clock moved by hand: limits are never exceeded, and not undershot."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable

import pytest

from bot.outbox.limits import RateLimiter, SenderLimits, SlidingWindow, Window


class VirtualTime:
    """A monotonic clock that only sleeping moves: when every task waits, time jumps to the
    earliest wake-up. Good for code that does nothing but compute and sleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._count = 0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self._count += 1
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), self._count, future))
        await future

    async def run(self, *coroutines: Awaitable[None]) -> None:
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        while not all(task.done() for task in tasks):
            for _ in range(20):  # let every runnable task run until it sleeps
                await asyncio.sleep(0)
            if self._sleepers:
                wake_at, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, wake_at)
                future.set_result(None)
        await asyncio.gather(*tasks)


def _max_in_window(times: list[float], seconds: float) -> int:
    # The epsilon keeps float rounding from counting a send exactly one window back.
    return max(sum(1 for other in times if at - seconds + 1e-9 < other <= at) for at in times)


def test_window_from_rates() -> None:
    assert Window.rate(30, 1.0) == Window(30, 1.0)
    assert Window.rate(20, 60.0) == Window(20, 60.0)
    assert Window.rate(0.5, 1.0) == Window(1, 2.0)
    assert Window.rate(2.5, 1.0) == Window(5, 2.0)
    limits = SenderLimits.from_rates(global_per_second=30, group_per_minute=20, chat_per_second=1)
    assert limits == SenderLimits()
    with pytest.raises(ValueError):
        Window(0, 1.0)


def test_sliding_window_allows_a_burst_then_waits_for_the_oldest() -> None:
    window = SlidingWindow(Window(3, 10.0), margin=0.0, spaced=False)
    for at in (0.0, 1.0, 2.0):
        assert window.ready_at(at) == at
        window.record(at)
    assert window.ready_at(2.5) == 10.0  # the send at 0.0 must leave the window first
    window.record(10.0)
    assert window.ready_at(10.0) == 11.0
    assert window.ready_at(10.0, cost=2) == 12.0


def test_spaced_window_spreads_sends_and_charges_albums() -> None:
    window = SlidingWindow(Window(4, 1.0), margin=0.0, spaced=True)
    window.record(0.0)
    assert window.ready_at(0.0) == 0.25
    window.record(0.25, cost=3)  # an album of three takes three slots
    assert window.ready_at(0.25) == pytest.approx(1.0)


async def test_limiter_never_exceeds_the_windows_of_a_group() -> None:
    time = VirtualTime()
    limits = SenderLimits(margin=0.0)  # the real defaults: 30/s, 20/min a group, 1/s a chat
    limiter = RateLimiter(limits, clock=time.clock, sleep=time.sleep)
    sends: list[float] = []

    async def send_all() -> None:
        for _ in range(45):
            await limiter.acquire(-500)
            sends.append(time.now)

    await time.run(send_all())
    assert _max_in_window(sends, 60.0) == 20
    assert min(b - a for a, b in itertools.pairwise(sends)) >= 1.0 - 1e-9
    # 20 a minute, one a second: the third minute's first message goes at 120 s.
    assert sends[19] == pytest.approx(19.0)
    assert sends[20] == pytest.approx(60.0)
    assert sends[40] == pytest.approx(120.0)


async def test_limiter_shares_the_overall_rate_between_chats() -> None:
    time = VirtualTime()
    limiter = RateLimiter(SenderLimits(margin=0.0), clock=time.clock, sleep=time.sleep)
    sends: list[tuple[int, float]] = []

    async def chat(chat_id: int) -> None:
        for _ in range(5):
            await limiter.acquire(chat_id)
            sends.append((chat_id, time.now))

    await time.run(*(chat(chat_id) for chat_id in range(1, 61)))
    times = sorted(at for _, at in sends)
    assert len(times) == 300
    assert _max_in_window(times, 1.0) <= 30
    # Not slower than the limit either: 300 sends at 30/s take about 10 s.
    assert times[-1] == pytest.approx(299 / 30, abs=0.05)
    for chat_id in range(1, 61):
        own = [at for c, at in sends if c == chat_id]
        assert min(b - a for a, b in itertools.pairwise(own)) >= 1.0 - 1e-9


async def test_a_blocked_chat_waits_and_the_others_do_not() -> None:
    time = VirtualTime()
    limiter = RateLimiter(SenderLimits(margin=0.0), clock=time.clock, sleep=time.sleep)
    limiter.block_chat(1, 30.0)
    assert limiter.chat_ready_at(1) == 30.0
    await time.run(limiter.acquire(2))
    assert time.now == 0.0
    await time.run(limiter.acquire(1))
    assert time.now == 30.0


async def test_margin_lengthens_every_window() -> None:
    time = VirtualTime()
    limiter = RateLimiter(SenderLimits(margin=0.1), clock=time.clock, sleep=time.sleep)
    await time.run(limiter.acquire(1))
    await time.run(limiter.acquire(1))
    assert time.now == pytest.approx(1.1)


def test_idle_windows_are_forgotten() -> None:
    time = VirtualTime()
    limiter = RateLimiter(SenderLimits(), clock=time.clock, sleep=time.sleep)
    limiter.block_chat(1, 5.0)
    limiter.chat_ready_at(-2)
    time.now = 2.0
    limiter.forget_idle()
    assert limiter.chat_ready_at(1) == 5.0  # still blocked: kept
    time.now = 6.0
    limiter.forget_idle()
    assert limiter.chat_ready_at(1) == 6.0
