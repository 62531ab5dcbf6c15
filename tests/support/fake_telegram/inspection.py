"""What tests read from the fake server: chats, messages, buttons, calls, and waiting for them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.support.fake_telegram.models import Button, Call, FakeMessage


class _Inspection:
    """Reading the server's state; mixed into FakeTelegram, whose `_chats`, `calls` and
    `_changed` it reads."""

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[FakeMessage]:
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.messages.values() if include_deleted or not m.deleted]

    def bot_messages(self, chat_id: int) -> list[FakeMessage]:
        return [m for m in self.messages(chat_id) if m.from_bot]

    def message(self, chat_id: int, message_id: int) -> FakeMessage:
        return self._chats[chat_id].messages[message_id]

    def chat_ids(self) -> list[int]:
        return list(self._chats)

    def buttons(self, chat_id: int, message_id: int) -> list[Button]:
        """The inline keyboard of a message, row by row, flattened."""
        markup = self.message(chat_id, message_id).reply_markup or {}
        return [
            Button(b.get("text", ""), b.get("callback_data"), b.get("url"))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    def calls_of(self, *methods: str) -> list[Call]:
        return [c for c in self.calls if c.method in methods]

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper: the timeout is its point
    ) -> None:
        """Wait until `condition()` holds; it is checked after every call and state change."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                continue

    async def wait_for(
        self,
        predicate: Callable[[Call], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper: the timeout is its point
        count: int = 1,
    ) -> list[Call]:
        """Wait until `count` recorded calls satisfy `predicate` (answered ones); return them."""

        def matching() -> list[Call]:
            return [c for c in self.calls if c.outcome != "pending" and predicate(c)]

        await self.wait_until(lambda: len(matching()) >= count, timeout)
        return matching()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
