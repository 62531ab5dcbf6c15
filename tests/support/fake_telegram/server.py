"""The fake Bot API server: its state, and starting and stopping it on 127.0.0.1."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from tests.support.fake_telegram.faults import _FaultInjection
from tests.support.fake_telegram.inspection import _Inspection
from tests.support.fake_telegram.members import _Members
from tests.support.fake_telegram.methods import _Methods
from tests.support.fake_telegram.models import TOKEN, Call, _Chat, _Fault
from tests.support.fake_telegram.people import _People
from tests.support.fake_telegram.shapes import _AnswerShapes
from tests.support.fake_telegram.transport import _Transport
from tests.support.fake_telegram.webhook import WebhookDelivery, _Webhook


class FakeTelegram(
    _Inspection,
    _FaultInjection,
    _People,
    _Transport,
    _Methods,
    _Webhook,
    _AnswerShapes,
    _Members,
):
    """The server. Start it with `async with FakeTelegram() as server:` or `await start()`."""

    def __init__(
        self,
        *,
        token: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        seed: int = 0,
    ) -> None:
        self.token = token  # None: any token is accepted
        self.clock = clock
        # Seconds each request spends on the way there and back (half each way), as with a
        # distant API server; only for the delivery methods.
        self.latency = 0.0
        self.calls: list[Call] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.commands: list[Any] = []
        self.chat_not_found: set[int] = set()
        self.blocked: set[int] = set()
        self._chats: dict[int, _Chat] = {}
        self._faults: list[_Fault] = []
        self._random = random.Random(seed)
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._last_callback_id = 0
        self._media_groups = itertools.count(1)
        self._files = itertools.count(1)
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.url = ""
        # Webhook mode (webhook.py): set by setWebhook, updates POSTed there.
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_retry = 0.2
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._webhook_task: asyncio.Task[None] | None = None

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1:`port` (0: any free port); `url` says where."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def close(self) -> None:
        self._closing = True
        self._notify()
        await self._stop_webhook()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def api_server(self) -> TelegramAPIServer:
        return TelegramAPIServer.from_base(self.url)

    def bot(self, token: str = TOKEN) -> Bot:
        """An aiogram Bot that talks to this server; close it with `await bot.session.close()`."""
        return Bot(token, session=AiohttpSession(api=self.api_server()))
