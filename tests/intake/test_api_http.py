"""The intake API's HTTP surface: bad bodies, sizes, tokens, GET /api/v1/incidents/{id}, routes and
configuration."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta

import pytest

from bot.intake import IntakeConfig
from bot.intake.http_api import create_intake_app
from tests.intake.api_helpers import BAD_FIELDS, NOTHING, post
from tests.intake.conftest import (
    AUTH,
    START,
    TOKEN,
    counts,
    payload,
)


@pytest.mark.parametrize(("change", "field"), BAD_FIELDS)
async def test_each_bad_field_is_named_and_nothing_is_written(
    client, sessions, change, field
) -> None:
    response = await post(client, payload(**change))
    assert response.status == 422, await response.text()
    data = await response.json()
    assert data["error"] == "invalid_request"
    assert field in [f["field"] for f in data["fields"]], data
    assert all(f["message"] for f in data["fields"])
    assert await counts(sessions) == NOTHING


async def test_several_bad_fields_are_all_named(client, sessions) -> None:
    body = payload(source="mail", url="x", importance="urgent", extra=1)
    response = await post(client, body)
    data = await response.json()
    assert {f["field"] for f in data["fields"]} == {"source", "url", "importance", "extra"}
    assert await counts(sessions) == NOTHING


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null"])
async def test_a_body_that_is_not_an_object_is_refused(client, sessions, body) -> None:
    response = await client.post(
        "/api/v1/incidents", data=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status == 422
    assert (await response.json())["fields"][0]["field"] == "(body)"
    assert await counts(sessions) == NOTHING


@pytest.mark.parametrize("body", [b"{", b"", b'{"source": "vk",}', b"\xff\xfe{}", b"{'a': 1}"])
async def test_malformed_json_is_400(client, sessions, body) -> None:
    response = await client.post(
        "/api/v1/incidents", data=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status == 400
    assert (await response.json())["error"] == "malformed_json"
    assert await counts(sessions) == NOTHING


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1", None],
)
async def test_wrong_content_type_is_415(client, sessions, content_type) -> None:
    headers = dict(AUTH)
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = await client.post(
        "/api/v1/incidents",
        data=json.dumps(payload()).encode(),
        headers=headers,
        skip_auto_headers=["Content-Type"],
    )
    assert response.status == 415
    assert (await response.json())["error"] == "unsupported_media_type"
    assert await counts(sessions) == NOTHING


async def test_json_with_utf8_charset_is_accepted(client) -> None:
    response = await client.post(
        "/api/v1/incidents",
        data=json.dumps(payload()).encode(),
        headers={**AUTH, "Content-Type": "application/json; charset=UTF-8"},
    )
    assert response.status == 201


async def test_oversized_body_with_length_is_413(client, sessions, config) -> None:
    body = payload(text="a" * config.max_body_bytes)
    response = await post(client, body)
    assert response.status == 413
    assert (await response.json())["error"] == "payload_too_large"
    assert await counts(sessions) == NOTHING


CHUNKS = 512


async def test_oversized_chunked_body_is_refused_before_the_end(client, sessions, config) -> None:
    sent = 0

    async def chunks():
        nonlocal sent
        yield b'{"source": "vk", "url": "https://vk.com/wall-1_1", "text": "'
        # 32 MiB offered in all, far beyond what the sockets' buffers take in; the limit is
        # 256 KiB. A server that read it all before answering would take every chunk.
        for _ in range(CHUNKS):
            sent += 1
            yield b"a" * 65536
        yield b'"}'

    response = await client.post(
        "/api/v1/incidents", data=chunks(), headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status == 413
    assert sent < CHUNKS  # the server answered and closed before the whole body was sent
    assert await counts(sessions) == NOTHING


async def test_announced_oversized_body_is_refused_before_it_is_sent(client, config) -> None:
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(
        b"POST /api/v1/incidents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {TOKEN}\r\nExpect: 100-continue\r\n".encode()
        + f"Content-Length: {config.max_body_bytes + 1}\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 413")


# --- the bearer token ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "unauthorized"),
        ({"Authorization": "Bearer "}, "unauthorized"),
        ({"Authorization": f"Basic {TOKEN}"}, "unauthorized"),
        ({"Authorization": "Bearer wrong-token-but-long-enough"}, "invalid_token"),
        ({"Authorization": f"Bearer {TOKEN}x"}, "invalid_token"),
        ({"Authorization": f"Bearer {TOKEN[:-1]}"}, "invalid_token"),
        ({"Authorization": "Bearer токен"}, "invalid_token"),
    ],
)
async def test_missing_or_wrong_token_is_401_logged_without_the_token(
    client, sessions, caplog, headers, code
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await post(client, payload(), headers=headers)
    assert response.status == 401
    assert (await response.json())["error"] == code
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert await counts(sessions) == NOTHING
    assert "intake refused POST /api/v1/incidents" in caplog.text
    assert TOKEN not in caplog.text and "wrong-token" not in caplog.text
    assert "токен" not in caplog.text


async def test_get_needs_the_token_too(client) -> None:
    created = await (await post(client, payload())).json()
    response = await client.get(f"/api/v1/incidents/{created['id']}")
    assert response.status == 401


# --- reading an incident -------------------------------------------------------------------------


async def test_get_returns_state_and_deadlines(client, clock) -> None:
    created = await (await post(client, payload(detected_at=...))).json()
    response = await client.get(f"/api/v1/incidents/{created['id']}", headers=AUTH)
    assert response.status == 200
    data = await response.json()
    assert data["id"] == created["id"] and data["status"] == "new" and data["version"] == 1
    assert "outcome" not in data
    deadlines = {d["kind"]: d for d in data["deadlines"]}
    assert datetime.fromisoformat(deadlines["route"]["due_at"]) == START + timedelta(hours=1)
    assert datetime.fromisoformat(data["answer_due_at"]) == START + timedelta(hours=3)
    assert not deadlines["route"]["overdue"]
    clock.advance(timedelta(hours=2))
    later = await (await client.get(f"/api/v1/incidents/{created['id']}", headers=AUTH)).json()
    assert {d["kind"]: d["overdue"] for d in later["deadlines"]} == {"route": True, "answer": False}


@pytest.mark.parametrize("path", ["/api/v1/incidents/999", "/api/v1/incidents/99999999999999"])
async def test_unknown_incident_is_404(client, path) -> None:
    response = await client.get(path, headers=AUTH)
    assert response.status == 404
    assert (await response.json())["error"] == "not_found"


async def test_unknown_route_and_method_answer_json(client) -> None:
    missing = await client.get("/api/v1/nothing", headers=AUTH)
    assert missing.status == 404 and (await missing.json())["error"] == "not_found"
    wrong = await client.get("/api/v1/incidents", headers=AUTH)
    assert wrong.status == 405 and (await wrong.json())["error"] == "method_not_allowed"


def test_intake_is_off_unless_configured(intake) -> None:
    config = IntakeConfig()
    assert not config.enabled and config.host == "127.0.0.1"
    with pytest.raises(ValueError, match="not configured"):
        create_intake_app(config, intake)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"api_token": "short"},
        {"port": 0},
        {"vk_group_id": 1},
        {"vk_confirmation": "abc"},
        {"vk_group_id": -5, "vk_confirmation": "abc"},
        {"max_body_bytes": 10},
        {"rate_per_minute": 0},
    ],
)
def test_bad_configuration_is_refused(kwargs) -> None:
    with pytest.raises(ValueError):
        IntakeConfig(**kwargs)


async def test_only_the_configured_routes_exist(make_client, people) -> None:
    api_only = await make_client(IntakeConfig(api_token=TOKEN))
    assert (await api_only.post("/vk/callback", json={})).status == 404
    vk_only = await make_client(IntakeConfig(vk_group_id=1, vk_confirmation="c0de"))
    assert (await post(vk_only, payload())).status == 404


async def test_unknown_expectation_is_417(client, sessions) -> None:
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(
        b"POST /api/v1/incidents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {TOKEN}\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n".encode()
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 417")
    assert await counts(sessions) == NOTHING


async def test_expect_continue_within_the_limit_is_served(client, sessions) -> None:
    body = json.dumps(payload()).encode()
    reader, writer = await asyncio.open_connection(client.host, client.port)
    writer.write(
        b"POST /api/v1/incidents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {TOKEN}\r\nExpect: 100-continue\r\n".encode()
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    await writer.drain()
    assert (await asyncio.wait_for(reader.readline(), 5)).startswith(b"HTTP/1.1 100")
    await reader.readline()  # the blank line after the interim response
    writer.write(body)
    await writer.drain()
    assert (await asyncio.wait_for(reader.readline(), 5)).startswith(b"HTTP/1.1 201")
    writer.close()
    assert (await counts(sessions))["incidents"] == 1
