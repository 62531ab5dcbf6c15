"""What the intake's HTTP server (bot/intake/http_api.py) serves besides the intake:

  GET  /healthz        200 while the process runs (liveness)
  GET  /readyz         200 when the database and the Bot API answer, else 503 naming which
  GET  /metrics        Prometheus text format (bot/metrics.py)
  POST <webhook path>  Telegram's updates in webhook mode (aiogram's handler, which checks
                       the X-Telegram-Bot-Api-Secret-Token header: 401 without it)

`build_http_app` puts them on one aiohttp application with the intake's routes (when the
intake is configured), so one port serves all; none of them is rate limited per address.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.intake import IntakeConfig
from bot.intake.http_api import UNLIMITED_PATHS, create_base_app, create_intake_app
from bot.intake.responses import INCIDENTS, VK_CALLBACK
from bot.intake.service import IntakeService
from bot.metrics import Metrics
from bot.pages.vk import PagePostSink
from db.health_repository import HealthRepository

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

HEALTHZ, READYZ, METRICS = "/healthz", "/readyz", "/metrics"
READY_TIMEOUT = 5.0  # seconds each readiness check may take


@dataclass(frozen=True, slots=True)
class Webhook:
    dispatcher: Dispatcher
    path: str
    secret: str | None


class Endpoints:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bot: Bot,
        metrics: Metrics,
        clock: Clock,
        *,
        ready_timeout: float = READY_TIMEOUT,
    ) -> None:
        self._sessions = sessions
        self._bot = bot
        self._metrics = metrics
        self._clock = clock
        self._timeout = ready_timeout

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(self, _request: web.Request) -> web.Response:
        checks = {
            "database": await self._check(self._ping_database()),
            "telegram": await self._check(self._bot.get_me()),
        }
        ready = all(result == "ok" for result in checks.values())
        if not ready:
            log.warning("not ready: %s", checks)
        return web.json_response(
            {"status": "ready" if ready else "not ready", **checks}, status=200 if ready else 503
        )

    async def metrics(self, _request: web.Request) -> web.Response:
        try:
            await self._metrics.refresh(self._sessions, self._clock.now())
        except Exception:
            # The counters are still worth having; database_up says the gauges are stale.
            log.warning("metrics: the database could not be read", exc_info=True)
        response = web.Response(body=self._metrics.exposition())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    async def _ping_database(self) -> None:
        async with self._sessions() as session:
            await HealthRepository(session).ping()

    async def _check(self, probe: Awaitable[object]) -> str:
        try:
            async with asyncio.timeout(self._timeout):
                await probe
        except TimeoutError:
            return f"error: no answer within {self._timeout:g} s"
        except Exception as error:
            return f"error: {type(error).__name__}: {error}"[:300]
        return "ok"

    def register(self, app: web.Application) -> None:
        app.router.add_get(HEALTHZ, self.healthz, allow_head=True)
        app.router.add_get(READYZ, self.readyz, allow_head=False)
        app.router.add_get(METRICS, self.metrics, allow_head=False)
        app[UNLIMITED_PATHS].update((HEALTHZ, READYZ, METRICS))


def _route_name(request: web.Request) -> str | None:
    """The intake route a request is for, by its matched resource; None for the rest."""
    resource = request.match_info.route.resource
    canonical = resource.canonical if resource is not None else ""
    if canonical.startswith(INCIDENTS):
        return "incident_get" if canonical != INCIDENTS else "incident_post"
    if canonical == VK_CALLBACK:
        return "vk_callback"
    return None


def count_intake(
    metrics: Metrics,
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """A middleware counting intake requests by route and status, refusals included."""

    @web.middleware
    async def counting(request: web.Request, handler: Handler) -> web.StreamResponse:
        route = _route_name(request)
        if route is None:
            return await handler(request)
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:
            status = error.status
            raise
        finally:
            metrics.intake_requests.labels(route, str(status)).inc()

    return counting


def build_http_app(
    config: IntakeConfig,
    intake: IntakeService | None,
    endpoints: Endpoints,
    metrics: Metrics,
    bot: Bot,
    webhook: Webhook | None = None,
    pages: PagePostSink | None = None,
) -> web.Application:
    """The intake's routes (when configured), the endpoints and the webhook on one app."""
    if config.enabled and intake is not None:
        app = create_intake_app(config, intake, pages=pages)
    else:
        app = create_base_app(config)
    app.middlewares.insert(0, count_intake(metrics))  # outermost: sees 429s and 413s too
    endpoints.register(app)
    if webhook is not None:
        # Answered after the update is handled: a process that dies meanwhile leaves it
        # unanswered, and Telegram delivers it again (to another process).
        handler = SimpleRequestHandler(
            webhook.dispatcher, bot, handle_in_background=False, secret_token=webhook.secret
        )
        app.router.add_post(webhook.path, handler.handle)
        app[UNLIMITED_PATHS].add(webhook.path)
    return app
