"""Filters that are plain functions, evaluated where they are checked.

aiogram awaits a filter that is not a coroutine function on a worker thread
(`asyncio.to_thread`): a magic filter (`F.text`, `F.chat.type == "private"`) or a state
(`Compose.collecting`) cost a trip to another thread and back for every handler checked on
every update, though each is a comparison of a few attributes. After the routers are
included, `run_filters_inline` makes each such filter a coroutine that calls it directly.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from aiogram import Router


def _inline(check: Callable[..., Any]) -> Callable[..., Coroutine[Any, Any, Any]]:
    @wraps(check)
    async def checked(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    return checked


def run_filters_inline(root: Router) -> int:
    """Make every plain-function filter under `root` run inline; return how many were.
    Run it again and it finds none (its coroutines are left as they are)."""
    changed = 0
    for router in root.chain_tail:
        for observer in router.observers.values():
            for handler in observer.handlers:
                for item in handler.filters or ():
                    if not item.awaitable:
                        # The keyword arguments it takes were read from the function itself
                        # (`params`, `varkw`) and stay as they are.
                        item.callback = _inline(item.callback)
                        item.awaitable = True
                        changed += 1
    return changed
