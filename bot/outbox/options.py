"""The sender's knobs (the limits themselves are in limits.py)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_FLOOD_THRESHOLD = 10


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
    # More incidents than this waiting for their first card in one chat are announced in one
    # summary (flood.py); None or 0 turns summaries off. 10 first cards take 30 s in a group
    # (20 a minute), so a summary comes well within the minute.
    flood_threshold: int | None = DEFAULT_FLOOD_THRESHOLD
    # Slots of a group's window (20 a minute) that only replies may take: a press answered
    # within a second or two even while a queue drains into the group at its full rate.
    reply_reserve: int = 3
    reserve_recheck: float = 0.5  # seconds between looks for a reply while others wait
