"""The intake's request handlers: the API (create, read, its OpenAPI document) and the VK
callback. Each checks and parses its request, then calls the one intake pipeline."""

from __future__ import annotations

import hmac
import json
from datetime import datetime, timedelta

from aiohttp import web
from pydantic import ValidationError

from bot.intake import IntakeConfig
from bot.intake.limits import TooLarge, read_limited
from bot.intake.openapi import build_openapi
from bot.intake.responses import (
    INCIDENTS,
    error_response,
    incident_state,
    json_response,
    refusal,
    refuse_log,
    state_body,
)
from bot.intake.schemas import (
    FieldError,
    IntakeResult,
    NewIncident,
    field_errors,
    is_malformed_json,
)
from bot.intake.service import IntakeService
from bot.intake.vk import VkCallback
from bot.pages.vk import PagePostSink
from workflow.model import Post

MAX_INCIDENT_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL


class IntakeRoutes:
    def __init__(
        self, config: IntakeConfig, intake: IntakeService, pages: PagePostSink | None = None
    ) -> None:
        self._config = config
        self._intake = intake
        self._token = config.api_token.encode() if config.api_token else None
        self._skew = timedelta(seconds=config.max_clock_skew_seconds)
        self._vk = VkCallback(config, intake, pages) if config.vk_enabled else None
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
        if submission.view is None:  # the API names no sender today; kept for completeness
            body = {"outcome": submission.outcome.value, "created": False}
            return json_response(body, 200)
        result = IntakeResult(
            **incident_state(submission.view, now).model_dump(),
            outcome=submission.outcome.value,
            created=submission.created,
        )
        location = f"{INCIDENTS}/{submission.view.incident.id}"
        return json_response(
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
        return json_response(state_body(view, self._intake.clock.now()))

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
