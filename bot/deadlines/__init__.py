"""Deadline alerts and digests: the scanner over deadline rows, the digests, their scheduler.

The ladder itself (when to remind, whom to alert, quiet hours) is pure and lives in
`workflow.alerts`.
"""

from bot.deadlines.digests import DIGEST_DAILY, DIGEST_WEEKLY, DigestSender
from bot.deadlines.scanner import DeadlineScanner, TickReport
from bot.deadlines.scheduler import DeadlineScheduler

__all__ = [
    "DIGEST_DAILY",
    "DIGEST_WEEKLY",
    "DeadlineScanner",
    "DeadlineScheduler",
    "DigestSender",
    "TickReport",
]
