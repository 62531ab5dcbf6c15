"""The outbox: messages written with the change that causes them, delivered by one sender.

See sender.py for the guarantees (order per chat, limits, retries, crash safety).
"""

from bot.outbox.limits import RateLimiter, SenderLimits, Window
from bot.outbox.render import Media, Rendered, Renderer
from bot.outbox.sender import (
    DELIVERY_FAILED_KEY,
    DeliveryFailure,
    FailureCallback,
    OutboxSender,
    SenderOptions,
    Verdict,
    classify,
    notify_admins,
    outbox_row,
    prune_sent,
    run_sender,
)

__all__ = [
    "DELIVERY_FAILED_KEY",
    "DeliveryFailure",
    "FailureCallback",
    "Media",
    "OutboxSender",
    "RateLimiter",
    "Rendered",
    "Renderer",
    "SenderLimits",
    "SenderOptions",
    "Verdict",
    "Window",
    "classify",
    "notify_admins",
    "outbox_row",
    "prune_sent",
    "run_sender",
]
