"""The outbox: messages written with the change that causes them, delivered by one sender.

See sender.py for the guarantees (order per chat, limits, retries, crash safety).
"""

from bot.outbox.errors import Verdict, classify
from bot.outbox.flood import FLOOD_SUMMARY_KEY, OpenCardData
from bot.outbox.limits import RateLimiter, SenderLimits, Window
from bot.outbox.notices import (
    DELIVERY_FAILED_KEY,
    DeliveryFailure,
    FailureCallback,
    notify_admins,
)
from bot.outbox.options import SenderOptions
from bot.outbox.render import Media, Rendered, Renderer
from bot.outbox.sender import OutboxSender, run_sender

__all__ = [
    "DELIVERY_FAILED_KEY",
    "FLOOD_SUMMARY_KEY",
    "DeliveryFailure",
    "FailureCallback",
    "Media",
    "OpenCardData",
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
    "run_sender",
]
