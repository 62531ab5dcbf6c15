"""How the intake answers: JSON bodies and errors for the API, plain text for VK, one log line
per refusal, and an incident's state as the API shows it."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.intake.schemas import DeadlineView, ErrorBody, FieldError, IncidentState
from bot.intake.service import IncidentView
from workflow.model import ANSWER_DEADLINE_KINDS

log = logging.getLogger(__name__)

API = "/api/v1"
INCIDENTS = f"{API}/incidents"
OPENAPI = f"{API}/openapi.json"
VK_CALLBACK = "/vk/callback"
CLIENT = web.RequestKey("intake_client", str)  # the address the rate limit counted


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


def json_response(
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
    return json_response(body.model_dump(mode="json"), status, headers)


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
    return incident_state(view, now).model_dump(mode="json")


def incident_state(view: IncidentView, now: datetime) -> IncidentState:
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
