"""Keep aiogram's response models alive for the life of the process.

For every Bot API call aiogram validates the answer with `Response[T]`, a pydantic generic
model that pydantic caches only weakly. In a busy process the garbage collector drops it
between calls, and every request then builds the model again (about 4 ms of CPU each, the
largest single cost of answering a press). Building each once at start and holding it
keeps pydantic's cache warm: about 40 distinct result types, some 70 ms once.
"""

from __future__ import annotations

import logging
from typing import Any

import aiogram.methods
from aiogram.methods.base import Response, TelegramMethod

log = logging.getLogger(__name__)
_PINNED: dict[str, Any] = {}


def pin_response_models() -> int:
    """Build `Response[T]` for the result type of every Bot API method; returns how many."""
    if _PINNED:
        return len(_PINNED)
    for name in aiogram.methods.__all__:
        method = getattr(aiogram.methods, name)
        if not (isinstance(method, type) and issubclass(method, TelegramMethod)):
            continue
        returning = getattr(method, "__returning__", None)
        if returning is None or isinstance(returning, property) or repr(returning) in _PINNED:
            continue  # abstract bases declare no result type
        try:
            _PINNED[repr(returning)] = Response[returning]  # type: ignore[valid-type]
        except Exception:
            log.debug("no response model pinned for %s", name, exc_info=True)
    return len(_PINNED)
