"""Telegram's sending limits, kept over the monotonic clock.

Telegram allows about 30 messages a second overall, 20 a minute into one group and one a
second into one chat. Each limit here is a `Window`: at most `count` sends in any stretch of
`seconds`. Sliding windows (not token buckets) because a bucket that holds N tokens and refills
N per window lets through up to 2N within one window, which is exactly what Telegram punishes.

The overall and per-chat windows are also *spaced*: sends are at least seconds/count apart
instead of bursting a whole window's worth at once. The throughput is the same, but few
requests are in flight at any moment (fewer possible duplicates after a crash, see sender.py)
and jitter on the way to Telegram cannot squeeze a burst into a shorter window. The group
window is not spaced, so that a card and two notifications still reach a group within a few
seconds (the per-chat spacing applies to groups too).

`margin` lengthens every window a little: Telegram counts arrivals, we count departures, and
requests do not all take equally long on the way.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class Window:
    """At most `count` sends in any stretch of `seconds`."""

    count: int
    seconds: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.seconds <= 0:
            raise ValueError(f"a window needs count >= 1 and seconds > 0, not {self}")

    @classmethod
    def rate(cls, per_period: float, period: float) -> Window:
        """`per_period` sends every `period` seconds, e.g. rate(0.5, 1) = 1 every 2 s."""
        if per_period <= 0:
            raise ValueError("a rate must be positive")
        fraction = Fraction(per_period).limit_denominator(1000)
        return cls(fraction.numerator, period * fraction.denominator)


@dataclass(frozen=True)
class SenderLimits:
    overall: Window = Window(30, 1.0)
    per_group: Window = Window(20, 60.0)  # negative chat ids
    per_chat: Window = Window(1, 1.0)  # every chat, groups included
    margin: float = 0.02  # seconds added to each window

    @classmethod
    def from_rates(
        cls,
        *,
        global_per_second: float = 30,
        group_per_minute: float = 20,
        chat_per_second: float = 1,
        margin: float = 0.02,
    ) -> SenderLimits:
        """The limits as settings spell them."""
        return cls(
            overall=Window.rate(global_per_second, 1.0),
            per_group=Window.rate(group_per_minute, 60.0),
            per_chat=Window.rate(chat_per_second, 1.0),
            margin=margin,
        )


@dataclass
class SlidingWindow:
    """The sends of one scope (everything, one group, one chat) within its window."""

    window: Window
    margin: float
    spaced: bool
    events: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0  # set by a 429's retry_after or a backoff

    @property
    def length(self) -> float:
        return self.window.seconds + self.margin

    @property
    def spacing(self) -> float:
        return self.length / self.window.count

    def ready_at(self, now: float, cost: int = 1) -> float:
        """The earliest moment from `now` on at which `cost` sends fit."""
        cost = min(cost, self.window.count)
        moment = max(now, self.blocked_until)
        # The sends that must leave the window first: all but the newest count - cost.
        excess = len(self.events) + cost - self.window.count
        if excess > 0:
            moment = max(moment, self.events[excess - 1] + self.length)
        if self.spaced and self.events:
            moment = max(moment, self.events[-1] + self.spacing)
        return moment

    def record(self, at: float, cost: int = 1, *, forgive: float = 0.0) -> None:
        """Charge `cost` sends granted at `at`.

        A grant that comes a little after its slot (the event loop wakes up to a millisecond
        late) is charged up to `forgive` seconds earlier, at its slot, so that lateness does
        not add up from send to send. Charging at most that much early keeps the window
        intact as long as `forgive` <= margin: a stretch of `seconds` then holds no more
        sends than a stretch of `seconds + margin` holds charges.
        """
        cost = min(cost, self.window.count)
        at = max(at - forgive, self.ready_at(-math.inf, cost))
        for step in range(cost):
            # A spaced window charges a multi-message send as consecutive slots.
            self.events.append(at + step * self.spacing if self.spaced else at)
        while len(self.events) > self.window.count:
            self.events.popleft()

    def idle(self, now: float) -> bool:
        return self.blocked_until <= now and (
            not self.events or self.events[-1] + self.length <= now
        )


Sleep = Callable[[float], Awaitable[None]]

# How late a grant may be and still be charged at its slot (see SlidingWindow.record): the
# event loop's timers fire up to a millisecond late (epoll waits in whole milliseconds), a few
# more under load; uncorrected, that lateness cost 3-5 % of the throughput in the benchmark.
# It is taken from the margin, which keeps the rest for jitter on the way to Telegram.
LATENESS_FORGIVEN = 0.005


class RateLimiter:
    """Hands out send slots so that no limit is ever exceeded.

    One acquirer per chat at a time is the sender's design (one worker per chat); the
    overall window is shared, and a lock makes the chats take its slots first come, first
    served.
    """

    def __init__(
        self,
        limits: SenderLimits,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limits = limits
        self.clock = clock
        self.sleep = sleep
        self.overall = SlidingWindow(limits.overall, limits.margin, spaced=True)
        self._chats: dict[int, SlidingWindow] = {}
        self._groups: dict[int, SlidingWindow] = {}
        self._lock = asyncio.Lock()

    def _chat(self, chat_id: int) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            window = self._chats[chat_id] = SlidingWindow(
                self.limits.per_chat, self.limits.margin, spaced=True
            )
        return window

    def _group(self, chat_id: int) -> SlidingWindow | None:
        if chat_id >= 0:
            return None
        window = self._groups.get(chat_id)
        if window is None:
            window = self._groups[chat_id] = SlidingWindow(
                self.limits.per_group, self.limits.margin, spaced=False
            )
        return window

    def chat_ready_at(self, chat_id: int, cost: int = 1, now: float | None = None) -> float:
        """When the chat's own limits (and any block on it) let `cost` sends through."""
        now = self.clock() if now is None else now
        moment = self._chat(chat_id).ready_at(now, cost)
        group = self._group(chat_id)
        if group is not None:
            moment = max(moment, group.ready_at(now, cost))
        return moment

    def block_chat(self, chat_id: int, seconds: float) -> None:
        """Send nothing to the chat for `seconds` (retry_after, backoff)."""
        window = self._chat(chat_id)
        window.blocked_until = max(window.blocked_until, self.clock() + seconds)

    def reserve_delay(self, chat_id: int, reserve: int, now: float | None = None) -> float:
        """Seconds until a send into the chat's group leaves `reserve` slots of the group's
        window free (0 for private chats): kept for the answers to presses (sender.py)."""
        group = self._group(chat_id)
        if group is None or reserve <= 0:
            return 0.0
        now = self.clock() if now is None else now
        reserve = min(reserve, group.window.count - 1)
        return max(0.0, group.ready_at(now, 1 + reserve) - now)

    async def _sleep_until(self, moment: float) -> None:
        delay = moment - self.clock()
        if delay > 0:
            await self.sleep(delay)

    async def wait_chat(self, chat_id: int, cost: int = 1) -> None:
        """Wait until the chat's own limits allow a send, reserving nothing."""
        while True:
            now = self.clock()
            moment = self.chat_ready_at(chat_id, cost, now)
            if moment <= now:
                return
            await self.sleep(moment - now)

    async def acquire(self, chat_id: int, cost: int = 1) -> None:
        """Wait for a slot in every window that concerns the chat, and take it.

        Call it right before the request: the slot is charged at the moment it is granted.
        """
        while True:
            await self.wait_chat(chat_id, cost)
            async with self._lock:
                await self._sleep_until(self.overall.ready_at(self.clock(), cost))
                now = self.clock()
                # One `now` for every test: a fresh clock reading would always be later.
                if self.overall.ready_at(now, cost) <= now and (
                    self.chat_ready_at(chat_id, cost, now) <= now
                ):
                    forgive = min(self.limits.margin, LATENESS_FORGIVEN)
                    self.overall.record(now, cost, forgive=forgive)
                    self._chat(chat_id).record(now, cost, forgive=forgive)
                    group = self._group(chat_id)
                    if group is not None:
                        group.record(now, cost, forgive=forgive)
                    return

    def forget_idle(self) -> None:
        """Drop the windows of chats that could send right now anyway (bounded memory)."""
        now = self.clock()
        for windows in (self._chats, self._groups):
            for chat_id in [c for c, w in windows.items() if w.idle(now)]:
                del windows[chat_id]
