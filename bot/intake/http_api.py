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

import hmac
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from bot.intake import IntakeConfig
from bot.intake.openapi import build_openapi
from bot.intake.schemas import (
    DeadlineView,
    ErrorBody,
    FieldError,
    IncidentState,
    IntakeResult,
    NewIncident,
    field_errors,
    is_malformed_json,
)
from bot.intake.store import IncidentView, IntakeService
from bot.intake.vk import VkCallback
from workflow.model import ANSWER_DEADLINE_KINDS, Post

log = logging.getLogger(__name__)

API = "/api/v1"
INCIDENTS = f"{API}/incidents"
OPENAPI = f"{API}/openapi.json"
VK_CALLBACK = "/vk/callback"
MAX_INCIDENT_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL
CLIENT = web.RequestKey("intake_client", str)  # the address the rate limit counted

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


# --- rate limit -------------------------------------------------------------------------------


class RateLimiter:
    """A token bucket per client address: `burst` at once, then `per_minute` a minute."""

    def __init__(
        self,
        per_minute: int,
        burst: int,
        monotonic: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._monotonic = monotonic
        self._max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, at)

    def acquire(self, client: str) -> float:
        """0 when the request may go on, else the seconds until a token is there."""
        now = self._monotonic()
        tokens, at = self._buckets.get(client, (self._burst, now))
        tokens = min(self._burst, tokens + (now - at) * self._rate)
        if tokens >= 1.0:
            self._store(client, tokens - 1.0, now)
            return 0.0
        self._store(client, tokens, now)
        return (1.0 - tokens) / self._rate

    def _store(self, client: str, tokens: float, now: float) -> None:
        self._buckets[client] = (tokens, now)
        if len(self._buckets) > self._max_clients:
            # Forget clients whose bucket has refilled: they lose nothing by it.
            full = self._burst / self._rate
            self._buckets = {
                key: value for key, value in self._buckets.items() if now - value[1] < full
            }


def client_address(request: web.Request, trusted_proxies: frozenset[str]) -> str:
    peer = request.remote or "unknown"
    if peer in trusted_proxies:
        forwarded = request.headers.get("X-Forwarded-For", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]  # the address the proxy itself saw
    return peer


def refuse_log(request: web.Request, status: int, reason: str) -> None:
    """One line per refused request: what, from where, why. Never headers or bodies."""
    log.warning(
        "intake refused %s %s from %s: %s %s",
        request.method,
        request.path,
        request.get(CLIENT, request.remote),
        status,
        reason,
    )


# --- responses --------------------------------------------------------------------------------


def _json(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def error_response(
    status: int,
    code: str,
    message: str,
    fields: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    body = ErrorBody(error=code, message=message, fields=fields or [])
    return _json(body.model_dump(mode="json"), status, headers)


def _is_vk(request: web.Request) -> bool:
    return request.path == VK_CALLBACK


def refusal(
    request: web.Request,
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """JSON for the API; plain text for VK, whose callback speaks nothing else."""
    if _is_vk(request):
        return web.Response(text=message, status=status, content_type="text/plain", headers=headers)
    return error_response(status, code, message, headers=headers)


def state_body(view: IncidentView, now: datetime) -> dict[str, Any]:
    return _state(view, now).model_dump(mode="json")


def _state(view: IncidentView, now: datetime) -> IncidentState:
    incident = view.incident
    answer = next(
        (d for d in incident.deadlines if d.running and d.kind in ANSWER_DEADLINE_KINDS), None
    )
    return IncidentState(
        id=incident.id,
        source=incident.post.source,
        url=incident.post.url,
        external_id=incident.post.external_id,
        status=incident.status,
        importance=incident.importance,
        detected_at=incident.detected_at,
        published_at=incident.post.published_at,
        topic=incident.topic,
        location=incident.location,
        answer_due_at=answer.due_at if answer else None,
        deadlines=[
            DeadlineView(
                kind=d.kind,
                party=d.party,
                org_code=d.org_code,
                started_at=d.started_at,
                due_at=d.due_at,
                state=d.state,
                ended_at=d.ended_at,
                overdue=d.running and d.due_at < now,
            )
            for d in incident.deadlines
        ],
        flags=list(view.flags),
        suggested_topic=view.suggested_topic,
        suggested_orgs=list(view.suggested_orgs),
        duplicates=view.duplicates,
        version=incident.version,
    )


# --- the application --------------------------------------------------------------------------


class TooLarge(Exception):
    pass


async def read_limited(request: web.Request, limit: int) -> bytes:
    """The body, or TooLarge as soon as it passes the limit (never buffered beyond it)."""
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class _Intake:
    def __init__(self, config: IntakeConfig, intake: IntakeService) -> None:
        self._config = config
        self._intake = intake
        self._token = config.api_token.encode() if config.api_token else None
        self._skew = timedelta(seconds=config.max_clock_skew_seconds)
        self._vk = VkCallback(config, intake) if config.vk_enabled else None
        self._openapi = json.dumps(
            build_openapi(api=config.api_enabled, vk=config.vk_enabled), ensure_ascii=False
        )

    # -- checks ---------------------------------------------------------------------------------

    def _unauthorised(self, request: web.Request) -> web.Response | None:
        assert self._token is not None
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            refuse_log(request, 401, "missing bearer token")
            return error_response(
                401,
                "unauthorized",
                "an Authorization: Bearer <token> header is required",
                headers={"WWW-Authenticate": 'Bearer realm="intake"'},
            )
        if not hmac.compare_digest(given.strip().encode(), self._token):
            refuse_log(request, 401, "wrong bearer token")
            return error_response(
                401,
                "invalid_token",
                "the bearer token is not valid",
                headers={"WWW-Authenticate": 'Bearer realm="intake", error="invalid_token"'},
            )
        return None

    def _time_problems(self, data: NewIncident, now: datetime) -> list[FieldError]:
        problems = []
        latest = now + self._skew
        if data.published_at is not None and data.published_at > latest:
            problems.append(FieldError(field="published_at", message="is in the future"))
        if data.detected_at is not None:
            if data.detected_at > latest:
                problems.append(FieldError(field="detected_at", message="is in the future"))
            elif data.published_at and data.detected_at < data.published_at - self._skew:
                problems.append(
                    FieldError(field="detected_at", message="is earlier than published_at")
                )
        return problems

    async def _body(self, request: web.Request) -> bytes | web.Response:
        try:
            return await read_limited(request, self._config.max_body_bytes)
        except TooLarge:
            refuse_log(request, 413, "body over the limit")
            limit = self._config.max_body_bytes
            response = refusal(
                request, 413, "payload_too_large", f"the body must not exceed {limit} bytes"
            )
            response.force_close()  # do not drain the rest of a body we refused
            return response

    async def expect(self, request: web.Request) -> web.StreamResponse | None:
        """Expect: 100-continue: refuse an announced oversized body before it is sent."""
        length = request.content_length
        if length is not None and length > self._config.max_body_bytes:
            refuse_log(request, 413, "announced body over the limit")
            limit = self._config.max_body_bytes
            response = refusal(
                request, 413, "payload_too_large", f"the body must not exceed {limit} bytes"
            )
            response.force_close()
            return response
        expect = request.headers.get("Expect", "")
        if request.version != (1, 1):
            return None
        if expect.lower() != "100-continue":
            refuse_log(request, 417, "unknown Expect header")
            return refusal(request, 417, "expectation_failed", f"unknown Expect: {expect}")
        # As aiohttp's default: the interim response, not counted as the body's output.
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0
        return None

    # -- handlers -------------------------------------------------------------------------------

    async def create(self, request: web.Request) -> web.Response:
        if (refusal := self._unauthorised(request)) is not None:
            return refusal
        charset = (request.charset or "utf-8").lower()
        if request.content_type != "application/json" or charset not in ("utf-8", "utf8"):
            refuse_log(request, 415, f"content type {request.content_type!r}")
            return error_response(415, "unsupported_media_type", "send application/json (UTF-8)")
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        try:
            data = NewIncident.model_validate_json(body)
        except ValidationError as error:
            if is_malformed_json(error):
                refuse_log(request, 400, "malformed JSON")
                return error_response(400, "malformed_json", "the body is not valid JSON")
            fields = field_errors(error)
            refuse_log(request, 422, "invalid fields " + ", ".join(f.field for f in fields))
            return error_response(422, "invalid_request", "some fields are not valid", fields)
        now = self._intake.clock.now()
        if problems := self._time_problems(data, now):
            refuse_log(request, 422, "invalid fields " + ", ".join(f.field for f in problems))
            return error_response(422, "invalid_request", "some fields are not valid", problems)
        post = Post(
            source=data.source,
            url=data.url,
            text=data.text,
            author_name=data.author_name or None,
            author_url=data.author_url,
            published_at=data.published_at,
            external_id=data.external_id,
            attachments=tuple(data.attachments),
        )
        submission = await self._intake.submit(
            post,
            detected_at=data.detected_at,
            importance=data.importance,
            topic_hint=data.topic_hint or None,
        )
        result = IntakeResult(
            **_state(submission.view, now).model_dump(),
            outcome=submission.outcome.value,
            created=submission.created,
        )
        location = f"{INCIDENTS}/{submission.view.incident.id}"
        return _json(
            result.model_dump(mode="json"),
            201 if submission.created else 200,
            headers={"Location": location},
        )

    async def get(self, request: web.Request) -> web.Response:
        if (refusal := self._unauthorised(request)) is not None:
            return refusal
        incident_id = int(request.match_info["incident_id"])
        view = None
        if 0 < incident_id <= MAX_INCIDENT_ID:
            view = await self._intake.view(incident_id)
        if view is None:
            return error_response(404, "not_found", f"no incident {incident_id}")
        return _json(state_body(view, self._intake.clock.now()))

    async def openapi(self, request: web.Request) -> web.Response:
        return web.Response(text=self._openapi, content_type="application/json")

    async def vk(self, request: web.Request) -> web.Response:
        assert self._vk is not None
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        reply = await self._vk.handle(body)
        if reply.refused is not None:
            refuse_log(request, reply.response.status, reply.refused)
        return reply.response


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


def create_intake_app(
    config: IntakeConfig,
    intake: IntakeService,
    *,
    monotonic: Callable[[], float] = time.monotonic,
) -> web.Application:
    """The routes that are configured: the API with a token, the VK callback with a group."""
    if not config.enabled:
        raise ValueError("intake is not configured: set the API token or the VK group")
    limiter = RateLimiter(config.rate_per_minute, config.rate_burst, monotonic)
    app = web.Application(
        middlewares=_middlewares(config, limiter),
        client_max_size=config.max_body_bytes,  # a backstop for request.read()
    )
    routes = _Intake(config, intake)
    if config.api_enabled:
        app.router.add_post(INCIDENTS, routes.create, expect_handler=routes.expect)
        app.router.add_get(INCIDENTS + r"/{incident_id:\d{1,18}}", routes.get, allow_head=False)
        app.router.add_get(OPENAPI, routes.openapi, allow_head=False)
    if config.vk_enabled:
        app.router.add_post(VK_CALLBACK, routes.vk, expect_handler=routes.expect)
    return app


class IntakeServer:
    """Runs the app on config.host:port next to the bot; start() and stop() from run_bot."""

    def __init__(self, config: IntakeConfig, intake: IntakeService) -> None:
        self._config = config
        self._app = create_intake_app(config, intake)
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
