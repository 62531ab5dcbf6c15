"""The OpenAPI document: served, complete, and true to what the real handlers answer."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest

from bot.intake import IntakeConfig
from bot.intake.openapi import build_openapi
from bot.intake.schemas import URL_PATTERN, check_http_url
from tests.intake import schema_check
from tests.intake.api_helpers import BAD_FIELDS
from tests.intake.conftest import AUTH, TOKEN, VK_CONFIRMATION, VK_GROUP, VK_SECRET, payload

# Checked by the handler against the clock or across fields, not expressible in the schema.
SERVER_SIDE = {"published_at", "detected_at", "text"}


@pytest.fixture
async def document(client) -> dict[str, Any]:
    response = await client.get("/api/v1/openapi.json")  # no token needed
    assert response.status == 200 and response.content_type == "application/json"
    return await response.json()


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


async def test_document_is_openapi_31_and_every_reference_resolves(document) -> None:
    assert document["openapi"] == "3.1.0"
    assert document == json.loads(json.dumps(build_openapi()))
    for ref in _refs(document):
        assert isinstance(schema_check.resolve(document, ref), dict), ref


async def test_every_route_is_documented_and_nothing_else(client, document) -> None:
    served = {
        (route.method.lower(), route.resource.canonical)
        for route in client.server.app.router.routes()
        if route.resource is not None
    }
    documented = {(method, path) for path, item in document["paths"].items() for method in item}
    assert served == documented


def test_document_lists_only_the_configured_parts() -> None:
    assert set(build_openapi(api=False)["paths"]) == {"/vk/callback"}
    assert "/vk/callback" not in build_openapi(vk=False)["paths"]


def _operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    for template, item in document["paths"].items():
        parts, actual = template.split("/"), path.split("?")[0].split("/")
        if len(parts) == len(actual) and all(
            p == a or p.startswith("{") for p, a in zip(parts, actual, strict=True)
        ):
            return item[method.lower()]
    raise AssertionError(f"{method} {path} is not documented")


async def _check(document, method: str, path: str, response) -> None:
    operation = _operation(document, method, path)
    status = str(response.status)
    assert status in operation["responses"], f"{method} {path}: {status} is not documented"
    documented = operation["responses"][status]
    for header in documented.get("headers", {}):
        assert header in response.headers, f"{method} {path} {status}: no {header} header"
    [(media_type, content)] = documented["content"].items()
    assert response.content_type == media_type, (method, path, status)
    body = await response.json() if media_type == "application/json" else await response.text()
    problems = schema_check.errors(body, content["schema"], document)
    assert not problems, (method, path, status, problems, body)


async def test_real_responses_match_the_document(make_client, people, document, monotonic) -> None:
    client = await make_client()
    small = IntakeConfig(
        api_token=TOKEN,
        vk_group_id=VK_GROUP,
        vk_confirmation=VK_CONFIRMATION,
        vk_secret=VK_SECRET,
        max_body_bytes=2048,
    )
    strict = await make_client(small)
    tiny = await make_client(replace(small, rate_per_minute=1, rate_burst=1))
    json_headers = {**AUTH, "Content-Type": "application/json"}
    calls: list[tuple[Any, str, str, dict[str, Any]]] = [
        (client, "POST", "/api/v1/incidents", {"json": payload(), "headers": AUTH}),  # 201
        (client, "POST", "/api/v1/incidents", {"json": payload(), "headers": AUTH}),  # 200
        (client, "POST", "/api/v1/incidents", {"json": payload(url="x"), "headers": AUTH}),
        (client, "POST", "/api/v1/incidents", {"data": b"{", "headers": json_headers}),
        (client, "POST", "/api/v1/incidents", {"json": payload()}),  # 401
        (client, "POST", "/api/v1/incidents", {"data": b"x", "headers": AUTH}),  # 415
        (client, "POST", "/api/v1/incidents", {"data": b"{" * 3000, "headers": json_headers}),
        (client, "GET", "/api/v1/incidents/1", {"headers": AUTH}),
        (client, "GET", "/api/v1/incidents/12345", {"headers": AUTH}),
        (client, "GET", "/api/v1/incidents/1", {}),
        (client, "GET", "/api/v1/openapi.json", {}),
        (client, "POST", "/vk/callback", {"json": {"type": "confirmation", "group_id": VK_GROUP}}),
        (client, "POST", "/vk/callback", {"json": {"type": "confirmation", "group_id": 1}}),
        (client, "POST", "/vk/callback", {"data": b"nope"}),
        (
            client,
            "POST",
            "/vk/callback",
            {"json": {"type": "group_join", "group_id": VK_GROUP, "secret": VK_SECRET}},
        ),
        (strict, "POST", "/api/v1/incidents", {"data": b"{" * 3000, "headers": json_headers}),
        (strict, "POST", "/vk/callback", {"data": b"{" * 3000}),
        (tiny, "GET", "/api/v1/openapi.json", {}),
        (tiny, "GET", "/api/v1/openapi.json", {}),  # the bucket is empty now: 429
        (tiny, "POST", "/vk/callback", {"data": b"{}"}),  # 429 as text
        (tiny, "POST", "/api/v1/incidents", {"json": payload(), "headers": AUTH}),
        (tiny, "GET", "/api/v1/incidents/1", {"headers": AUTH}),
    ]
    seen = set()
    for target, method, path, kwargs in calls:
        response = await target.request(method, path, **kwargs)
        await _check(document, method, path, response)
        seen.add((_operation(document, method, path)["operationId"], response.status))
    # Every documented answer was produced, except the server's own failures (tested below)
    # and the 417 to an unusual Expect header.
    documented = {
        (operation["operationId"], int(status))
        for item in document["paths"].values()
        for operation in item.values()
        for status in operation["responses"]
        if status not in ("500", "417")
    }
    assert seen == documented


async def test_failures_match_the_document(
    make_client, people, intake, document, monkeypatch
) -> None:
    client = await make_client()

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database is down")

    monkeypatch.setattr(intake, "submit", broken)
    api = await client.post("/api/v1/incidents", json=payload(), headers=AUTH)
    assert api.status == 500
    await _check(document, "POST", "/api/v1/incidents", api)
    vk_event = {
        "type": "wall_reply_new",
        "group_id": VK_GROUP,
        "secret": VK_SECRET,
        "object": {"id": 1, "from_id": 5, "post_id": 2, "text": "x", "date": 1777442400},
    }
    vk = await client.post("/vk/callback", json=vk_event)
    assert vk.status == 500  # VK retries until it gets "ok"
    await _check(document, "POST", "/vk/callback", vk)


async def test_request_schema_agrees_with_the_validator(document) -> None:
    schema = document["components"]["schemas"]["NewIncident"]
    assert schema_check.errors(payload(), schema, document) == []
    minimal = {"source": "ok", "url": "https://ok.ru/group/1/topic/2", "text": "Вопрос"}
    assert schema_check.errors(minimal, schema, document) == []
    for change, field in BAD_FIELDS:
        if field in SERVER_SIDE and field not in {"published_at"}:
            continue
        body = payload(**change)
        if field == "published_at" and "detected_at" not in body:
            continue  # "in the future" is checked against the clock
        assert schema_check.errors(body, schema, document), (field, change)


def test_schema_checker_catches_mistakes() -> None:
    document = build_openapi()
    schema = document["components"]["schemas"]["IncidentState"]
    good = {
        "id": 1,
        "source": "vk",
        "url": "https://vk.com/wall-1_1",
        "external_id": None,
        "status": "new",
        "importance": "normal",
        "detected_at": "2026-04-29T07:00:00Z",
        "published_at": None,
        "topic": None,
        "location": None,
        "answer_due_at": None,
        "deadlines": [],
        "flags": [],
        "suggested_topic": None,
        "suggested_orgs": [],
        "duplicates": 0,
        "version": 1,
    }
    assert schema_check.errors(good, schema, document) == []
    for change in (
        {"id": "1"},
        {"status": "lost"},
        {"detected_at": "2026-04-29T07:00:00"},
        {"flags": [1]},
        {"deadlines": [{"kind": "answer"}]},
    ):
        assert schema_check.errors({**good, **change}, schema, document), change
    missing = dict(good)
    del missing["version"]
    assert schema_check.errors(missing, schema, document)
    with pytest.raises(ValueError, match="unsupported"):
        schema_check.errors(1, {"multipleOf": 2}, document)


@pytest.mark.parametrize(
    "url",
    [
        "https://vk.com/wall-1_2?reply=3",
        "HTTP://Example.org",
        "http://a",
        "https://",
        "https:///path",
        "https://?q",
        "ftp://vk.com/x",
        "vk.com/wall-1_2",
        "https://vk.com/a b",
        "javascript:alert(1)",
        "",
    ],
)
def test_url_pattern_in_the_document_agrees_with_the_validator(url) -> None:
    try:
        check_http_url(url)
        valid = True
    except ValueError:
        valid = False
    assert bool(re.search(URL_PATTERN, url)) == valid
