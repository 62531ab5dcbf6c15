"""A small reverse proxy for tests: what a load balancer in front of several bot processes
does with Telegram's webhook. Each request goes to the next backend in turn; a backend that
refuses the connection or drops it is skipped for the next (a dead process)."""

from __future__ import annotations

import itertools

import aiohttp
from aiohttp import web


class Balancer:
    def __init__(self, backends: list[str]) -> None:
        self.backends = backends  # base URLs, e.g. http://127.0.0.1:8081
        self.forwarded: list[tuple[str, int]] = []  # (backend, status) of each answer
        self.failures: list[tuple[str, str]] = []  # (backend, error) of each that did not
        self._turn = itertools.count()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> None:
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._client is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host",)}
        first = next(self._turn)
        for attempt in range(len(self.backends)):
            backend = self.backends[(first + attempt) % len(self.backends)]
            try:
                async with self._client.request(
                    request.method, backend + request.path_qs, data=body, headers=headers
                ) as answer:
                    payload = await answer.read()
                    self.forwarded.append((backend, answer.status))
                    return web.Response(
                        status=answer.status,
                        body=payload,
                        content_type=answer.content_type,
                    )
            except (aiohttp.ClientError, TimeoutError) as error:
                self.failures.append((backend, repr(error)))
                continue
        return web.Response(status=502, text="no backend answered")
