"""What every intake request passes before it is read: a rate limit per client address and
a body read only up to its limit."""

from __future__ import annotations

import time
from collections.abc import Callable

from aiohttp import web


class RateLimiter:
    """A token bucket per client address: `burst` at once, then `per_minute` a minute."""

    def __init__(
        self,
        per_minute: int,
        burst: int,
        monotonic: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._monotonic = monotonic
        self._max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, at)

    def acquire(self, client: str) -> float:
        """0 when the request may go on, else the seconds until a token is there."""
        now = self._monotonic()
        tokens, at = self._buckets.get(client, (self._burst, now))
        tokens = min(self._burst, tokens + (now - at) * self._rate)
        if tokens >= 1.0:
            self._store(client, tokens - 1.0, now)
            return 0.0
        self._store(client, tokens, now)
        return (1.0 - tokens) / self._rate

    def _store(self, client: str, tokens: float, now: float) -> None:
        self._buckets[client] = (tokens, now)
        if len(self._buckets) > self._max_clients:
            # Forget clients whose bucket has refilled: they lose nothing by it.
            full = self._burst / self._rate
            self._buckets = {
                key: value for key, value in self._buckets.items() if now - value[1] < full
            }


def client_address(request: web.Request, trusted_proxies: frozenset[str]) -> str:
    peer = request.remote or "unknown"
    if peer in trusted_proxies:
        forwarded = request.headers.get("X-Forwarded-For", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]  # the address the proxy itself saw
    return peer


class TooLarge(Exception):
    pass


async def read_limited(request: web.Request, limit: int) -> bytes:
    """The body, or TooLarge as soon as it passes the limit (never buffered beyond it)."""
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)
