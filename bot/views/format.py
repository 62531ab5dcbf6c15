"""Small text helpers every view shares: escaping, shortening, times."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

Translate = Callable[..., str]  # (key, **params) -> text in the reader's language


def e(value: object) -> str:
    """Escape user text for Telegram's HTML parse mode."""
    return html.escape(str(value), quote=False)


def shorten(text: str, limit: int) -> tuple[str, bool]:
    if len(text) <= limit:
        return text, False
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut + "…", True


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d.%m %H:%M")
