"""The OpenAPI 3.1 document of the intake, its schemas generated from bot/intake/schemas.py.

OpenAPI 3.1 uses JSON Schema 2020-12, which is what pydantic emits, so the component
schemas are pydantic's own; tests validate real responses against them.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from bot.intake.schemas import ErrorBody, IncidentState, IntakeResult, NewIncident, VkEvent

REF = "#/components/schemas/{model}"
VERSION = "1.0.0"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": _ref("ErrorBody")}},
    }
    if headers:
        response["headers"] = headers
    return response


def _text(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
    if headers:
        response["headers"] = headers
    return response


RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before the next request",
        "schema": {"type": "integer", "minimum": 1},
    }
}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {"description": "Bearer challenge", "schema": {"type": "string"}}
}
LOCATION = {"Location": {"description": "the incident's own URL", "schema": {"type": "string"}}}

AUTH_ERRORS = {
    "401": _error("missing or wrong bearer token", WWW_AUTHENTICATE),
    "429": _error("too many requests from this address", RETRY_AFTER),
    "500": _error("the incident could not be stored; nothing was written, retry"),
}


def _api_paths() -> dict[str, Any]:
    create = {
        "operationId": "createIncident",
        "summary": "Report a post or comment found by monitoring (п.2)",
        "description": (
            "Idempotent: a repeat of the same external id or URL returns the existing "
            "incident (200), as does a near-identical text by the same author within a day "
            "while that incident is open (attached to it, outcome duplicate). Nothing is "
            "written when the request is refused."
        ),
        "security": [{"bearer": []}],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref("NewIncident")}},
        },
        "responses": {
            "201": {
                "description": "a new incident",
                "headers": LOCATION,
                "content": {"application/json": {"schema": _ref("IntakeResult")}},
            },
            "200": {
                "description": "the post was already an incident, or was attached to one",
                "headers": LOCATION,
                "content": {"application/json": {"schema": _ref("IntakeResult")}},
            },
            "400": _error("the body is not valid JSON"),
            "413": _error("the body is larger than the configured limit"),
            "415": _error("the body is not application/json in UTF-8"),
            "417": _error("an Expect header other than 100-continue"),
            "422": _error("fields are missing or invalid; each is named in fields"),
            **AUTH_ERRORS,
        },
    }
    read = {
        "operationId": "getIncident",
        "summary": "An incident's state and deadlines",
        "security": [{"bearer": []}],
        "parameters": [
            {
                "name": "incident_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1},
            }
        ],
        "responses": {
            "200": {
                "description": "the incident",
                "content": {"application/json": {"schema": _ref("IncidentState")}},
            },
            "404": _error("no such incident"),
            **AUTH_ERRORS,
        },
    }
    document = {
        "operationId": "getOpenApi",
        "summary": "This document",
        "security": [],
        "responses": {
            "200": {
                "description": "the OpenAPI document",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            "429": _error("too many requests from this address", RETRY_AFTER),
        },
    }
    return {
        "/api/v1/incidents": {"post": create},
        "/api/v1/incidents/{incident_id}": {"get": read},
        "/api/v1/openapi.json": {"get": document},
    }


def _vk_paths() -> dict[str, Any]:
    callback = {
        "operationId": "vkCallback",
        "summary": "VK Callback API events of the community",
        "description": (
            "type confirmation with our group_id is answered with the confirmation string; "
            "wall_reply_new, wall_post_new, board_post_new, photo_comment_new, "
            "video_comment_new, market_comment_new and message_new become incidents "
            "(external id {type}:{group}:{ids}, so VK's retries are answered ok once stored); "
            "other types are answered ok and ignored."
        ),
        "security": [],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref("VkEvent")}},
        },
        "responses": {
            "200": _text('"ok", or the confirmation string'),
            "400": _text("the body is not a VK event"),
            "403": _text("wrong secret or group"),
            "413": _text("the body is larger than the configured limit"),
            "417": _text("an Expect header other than 100-continue"),
            "429": _text("too many requests from this address", RETRY_AFTER),
            "500": _text("not stored; VK retries"),
        },
    }
    return {"/vk/callback": {"post": callback}}


def component_schemas() -> dict[str, Any]:
    _, top = models_json_schema(
        [
            (NewIncident, "validation"),
            (IncidentState, "serialization"),
            (IntakeResult, "serialization"),
            (ErrorBody, "serialization"),
            (VkEvent, "validation"),
        ],
        ref_template=REF,
    )
    return dict(top.get("$defs", {}))


def build_openapi(*, api: bool = True, vk: bool = True) -> dict[str, Any]:
    """The document for the routes that are served (both by default)."""
    paths: dict[str, Any] = {}
    if api:
        paths.update(_api_paths())
    if vk:
        paths.update(_vk_paths())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Incident intake",
            "version": VERSION,
            "description": (
                "Posts and comments from social networks (VK, OK, Telegram) reported to "
                "the incident workflow of a municipal administration."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": component_schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
