"""The intake's HTTP server (aiohttp), in the bot's process, off unless configured.

Routes (see bot/intake/openapi.py for the full document):

  POST /api/v1/incidents            a post found by monitoring → 201 new, 200 known
  GET  /api/v1/incidents/{id}       its state and deadlines
  GET  /api/v1/openapi.json         the OpenAPI 3.1 document
  POST /vk/callback                 VK Callback API (bot/intake/vk.py)

Every request passes a per-address token bucket (429 with Retry-After); bodies are read up
to a limit and refused (413) without being read whole; API calls need the bearer token,
compared in constant time. Refusals are logged with the reason, never with the secret.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.intake import IntakeConfig
from bot.intake.limits import RateLimiter, client_address
from bot.intake.responses import CLIENT, INCIDENTS, OPENAPI, VK_CALLBACK, refusal, refuse_log
from bot.intake.routes import IntakeRoutes
from bot.intake.service import IntakeService
from bot.pages.vk import PagePostSink

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Paths the per-address rate limit leaves alone (added by whoever registers them).
UNLIMITED_PATHS = web.AppKey("unlimited_paths", set[str])

__all__ = [
    "UNLIMITED_PATHS",
    "IntakeServer",
    "RateLimiter",
    "create_base_app",
    "create_intake_app",
]


def _middlewares(config: IntakeConfig, limiter: RateLimiter) -> list[Any]:
    @web.middleware
    async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException as error:
            if error.status in (404, 405):
                refuse_log(request, error.status, "no such route")
                code = "not_found" if error.status == 404 else "method_not_allowed"
                return refusal(request, error.status, code, error.reason)
            raise
        except Exception:
            log.exception("intake failed on %s %s", request.method, request.path)
            # Nothing was committed; VK retries on anything but "ok", which is what we want.
            return refusal(request, 500, "internal", "the incident could not be stored; retry")

    @web.middleware
    async def rate_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in request.app[UNLIMITED_PATHS]:
            return await handler(request)  # Telegram's webhook, probes, metrics scrapes
        client = client_address(request, config.trusted_proxies)
        request[CLIENT] = client
        wait = limiter.acquire(client)
        if wait > 0:
            retry_after = str(max(1, math.ceil(wait)))
            refuse_log(request, 429, "rate limit")
            headers = {"Retry-After": retry_after}
            return refusal(request, 429, "rate_limited", "too many requests", headers)
        return await handler(request)

    return [errors, rate_limit]


def create_base_app(
    config: IntakeConfig, *, monotonic: Callable[[], float] = time.monotonic
) -> web.Application:
    """The server with its error handling and rate limit and no routes yet: the intake's
    routes, the webhook and the health endpoints (bot/http_endpoints.py) are added to it."""
    limiter = RateLimiter(config.rate_per_minute, config.rate_burst, monotonic)
    app = web.Application(
        middlewares=_middlewares(config, limiter),
        client_max_size=config.max_body_bytes,  # a backstop for request.read()
    )
    app[UNLIMITED_PATHS] = set()
    return app


def create_intake_app(
    config: IntakeConfig,
    intake: IntakeService,
    *,
    monotonic: Callable[[], float] = time.monotonic,
    pages: PagePostSink | None = None,
) -> web.Application:
    """The routes that are configured: the API with a token, the VK callback with a group."""
    if not config.enabled:
        raise ValueError("intake is not configured: set the API token or the VK group")
    app = create_base_app(config, monotonic=monotonic)
    routes = IntakeRoutes(config, intake, pages)
    if config.api_enabled:
        app.router.add_post(INCIDENTS, routes.create, expect_handler=routes.expect)
        app.router.add_get(INCIDENTS + r"/{incident_id:\d{1,18}}", routes.get, allow_head=False)
        app.router.add_get(OPENAPI, routes.openapi, allow_head=False)
    if config.vk_enabled:
        app.router.add_post(VK_CALLBACK, routes.vk, expect_handler=routes.expect)
    return app


class IntakeServer:
    """Runs the app on config.host:port next to the bot; start() and stop() from run_bot."""

    def __init__(
        self,
        config: IntakeConfig,
        intake: IntakeService | None = None,
        pages: PagePostSink | None = None,
        *,
        app: web.Application | None = None,
    ) -> None:
        """Serves `app` when given (with more than the intake on it), else the intake's."""
        self._config = config
        if app is None:
            if intake is None:
                raise ValueError("IntakeServer needs the intake service or an app")
            app = create_intake_app(config, intake, pages=pages)
        self._app = app
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    async def start(self) -> None:
        self._runner = web.AppRunner(self._app, handle_signals=False)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self._config.host, self._config.port)
        await self._site.start()
        log.info(
            "intake listening on %s:%s (API %s, VK callback %s)",
            self._config.host,
            self.port,
            "on" if self._config.api_enabled else "off",
            "on" if self._config.vk_enabled else "off",
        )

    @property
    def port(self) -> int:
        """The bound port (useful with port 0 in tests)."""
        if self._runner is None:
            return self._config.port
        for address in self._runner.addresses:
            if isinstance(address, tuple) and len(address) >= 2:
                return int(address[1])
        return self._config.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
