"""Checking Telegram's limits from the recorded calls."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.outbox.limits import SenderLimits, Window
from tests.support.fake_telegram.models import DELIVERY_METHODS, Call


@dataclass(frozen=True)
class Violation:
    scope: str  # "overall", "group <id>" or "chat <id>"
    window: Window
    count: int  # sends seen in one stretch shorter than the window
    at: float  # when the stretch ended


def _weight(call: Call, window: Window) -> int:
    # A media group is several messages for Telegram's counters; the sender charges it the
    # same way, capped at the window's size (or it could never be sent at all).
    if call.method == "sendMediaGroup" and isinstance(call.params.get("media"), list):
        return min(len(call.params["media"]), window.count)
    return 1


def _window_violations(
    scope: str, calls: Sequence[Call], window: Window, slack: float
) -> list[Violation]:
    length = window.seconds - slack
    found: list[Violation] = []
    start = 0
    total = 0
    for call in calls:
        total += _weight(call, window)
        while calls[start].at <= call.at - length:
            total -= _weight(calls[start], window)
            start += 1
        if total > window.count:
            found.append(Violation(scope, window, total, call.at))
    return found


def limit_violations(
    calls: Iterable[Call],
    limits: SenderLimits,
    *,
    slack: float = 0.0,
    methods: frozenset[str] = DELIVERY_METHODS,
) -> list[Violation]:
    """Every stretch of time in which more was sent than the limits allow.

    All attempts count, failed ones too: each reached the API. `slack` shortens every window
    by that many seconds, to allow for jitter between the sender's clock and the arrival here
    (the sender's own `margin` covers the same jitter from its side).
    """
    relevant = sorted((c for c in calls if c.method in methods), key=lambda c: c.at)
    found = _window_violations("overall", relevant, limits.overall, slack)
    by_chat: dict[int, list[Call]] = {}
    for call in relevant:
        if call.chat_id is not None:
            by_chat.setdefault(call.chat_id, []).append(call)
    for chat_id, chat_calls in by_chat.items():
        found += _window_violations(f"chat {chat_id}", chat_calls, limits.per_chat, slack)
        if chat_id < 0:
            found += _window_violations(f"group {chat_id}", chat_calls, limits.per_group, slack)
    return found
