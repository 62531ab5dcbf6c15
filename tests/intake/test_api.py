"""POST /api/v1/incidents and GET /api/v1/incidents/{id} on a real server, both databases."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.intake import IntakeConfig
from bot.intake.http_api import create_intake_app
from db.models import DuplicatePost
from tests.intake.conftest import (
    AUTH,
    MSK,
    START,
    TOKEN,
    counts,
    incident_rows,
    outbox_rows,
    payload,
)
from workflow.commands import CloseNoAnswer
from workflow.model import IncidentStatus, NoAnswerReason, Source

NOTHING = {"incidents": 0, "events": 0, "outbox": 0, "duplicates": 0}


async def post(client, body, headers=AUTH):
    data = json.dumps(body, ensure_ascii=False).encode()
    return await client.post(
        "/api/v1/incidents", data=data, headers={"Content-Type": "application/json", **headers}
    )


@pytest.mark.parametrize("source", [s.value for s in Source])
async def test_each_source_opens_one_incident_and_tells_the_curators(
    client, sessions, people, source
) -> None:
    body = payload(source=source, url=f"https://example.org/{source}/1", external_id=f"{source}-1")
    response = await post(client, body)
    assert response.status == 201, await response.text()
    data = await response.json()
    assert data["outcome"] == "created" and data["created"] is True
    assert response.headers["Location"] == f"/api/v1/incidents/{data['id']}"
    assert data["source"] == source and data["status"] == "new"
    # The answer clock runs from the detection time the source gave (п.9): 09:45 + 3 h.
    assert datetime.fromisoformat(data["detected_at"]) == datetime(2026, 4, 29, 9, 45, tzinfo=MSK)
    assert datetime.fromisoformat(data["answer_due_at"]) == datetime(
        2026, 4, 29, 12, 45, tzinfo=MSK
    )
    assert {d["kind"] for d in data["deadlines"]} == {"answer", "route"}

    [row] = await incident_rows(sessions)
    assert row.id == data["id"] and row.source is Source(source)
    assert row.external_id == f"{source}-1" and row.url == body["url"]
    assert row.author_name == "Иван Петров" and row.author_url == "https://vk.com/id12345"
    assert row.attachments == ["https://vk.com/photo12345_456239017"]
    assert row.published_at == datetime(2026, 4, 29, 6, 40, tzinfo=UTC)
    assert row.detected_at == datetime(2026, 4, 29, 6, 45, tzinfo=UTC)
    messages = [r for r in await outbox_rows(sessions) if r.kind == "message"]
    assert {r.chat_id for r in messages} == {people.telegram["curator"], people.telegram["deputy"]}
    assert {r.key for r in messages} == {"incident.detected"}
    assert (await counts(sessions))["events"] == 1


async def test_detection_time_defaults_to_the_clock(client, sessions, clock) -> None:
    clock.advance(timedelta(minutes=7))
    response = await post(client, payload(detected_at=..., published_at=...))
    assert response.status == 201
    [row] = await incident_rows(sessions)
    assert row.detected_at == clock.now()


async def test_high_importance_gets_two_working_hours(client) -> None:
    response = await post(client, payload(importance="high", detected_at=...))
    data = await response.json()
    assert data["importance"] == "high"
    assert datetime.fromisoformat(data["answer_due_at"]) == START + timedelta(hours=2)  # п.17


async def test_same_external_id_twice_returns_the_same_incident(client, sessions) -> None:
    first = await post(client, payload())
    after_first = await counts(sessions)
    again = await post(client, payload(text="Другой текст того же поста", url="https://x.org/2"))
    assert (first.status, again.status) == (201, 200)
    data = await again.json()
    assert data["outcome"] == "existing" and data["created"] is False
    assert data["id"] == (await first.json())["id"]
    assert await counts(sessions) == after_first


async def test_same_url_without_external_id_returns_the_same_incident(client, sessions) -> None:
    first = await post(client, payload(external_id=None))
    again = await post(client, payload(external_id=None, text="Повтор", author_url=None))
    assert (first.status, again.status) == (201, 200)
    assert (await again.json())["id"] == (await first.json())["id"]
    assert (await counts(sessions))["incidents"] == 1


@pytest.mark.parametrize("external_id", ["mon-77", None])
async def test_concurrent_identical_posts_make_exactly_one_incident(
    client, sessions, external_id
) -> None:
    body = payload(external_id=external_id)
    responses = await asyncio.gather(*(post(client, body) for _ in range(8)))
    statuses = sorted(r.status for r in responses)
    assert statuses == [200] * 7 + [201]
    ids = {(await r.json())["id"] for r in responses}
    assert len(ids) == 1
    totals = await counts(sessions)
    assert totals["incidents"] == 1 and totals["events"] == 1 and totals["duplicates"] == 0
    assert len([r for r in await outbox_rows(sessions) if r.kind == "message"]) == 2


# --- bad input: every field named, nothing written --------------------------------------------

BAD_FIELDS = [
    ({"source": "facebook"}, "source"),
    ({"source": None}, "source"),
    ({"source": ...}, "source"),
    ({"url": ...}, "url"),
    ({"url": "not a url"}, "url"),
    ({"url": "ftp://vk.com/wall-1_2"}, "url"),
    ({"url": "https://"}, "url"),
    ({"url": "https://vk.com/" + "a" * 2000}, "url"),
    ({"url": 42}, "url"),
    ({"text": 123}, "text"),
    ({"text": "я" * 50_001}, "text"),
    ({"text": "", "attachments": []}, "text"),
    ({"author_name": "x" * 301}, "author_name"),
    ({"author_url": "javascript:alert(1)"}, "author_url"),
    ({"attachments": "https://vk.com/photo1_2"}, "attachments"),
    ({"attachments": ["https://vk.com/photo1_2", "photo"]}, "attachments.1"),
    ({"attachments": [f"https://x.org/{i}" for i in range(51)]}, "attachments"),
    ({"published_at": "yesterday"}, "published_at"),
    ({"published_at": "2026-04-29T09:40:00"}, "published_at"),  # no time zone
    ({"published_at": "2026-04-29T12:00:00+03:00", "detected_at": ...}, "published_at"),
    ({"detected_at": "2026-04-29T10:30:00+03:00"}, "detected_at"),  # the future
    ({"detected_at": "2026-04-29T08:00:00+03:00"}, "detected_at"),  # before published_at
    ({"importance": "urgent"}, "importance"),
    ({"topic_hint": "т" * 201}, "topic_hint"),
    ({"external_id": ""}, "external_id"),
    ({"external_id": "e" * 201}, "external_id"),
    ({"detectedAt": "2026-04-29T09:45:00+03:00"}, "detectedAt"),  # unknown field
]


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


async def test_oversized_chunked_body_is_refused_before_the_end(client, sessions, config) -> None:
    sent = 0

    async def chunks():
        nonlocal sent
        yield b'{"source": "vk", "url": "https://vk.com/wall-1_1", "text": "'
        for _ in range(64):  # 4 MiB offered in all; the limit is 256 KiB
            sent += 1
            yield b"a" * 65536
        yield b'"}'

    response = await client.post(
        "/api/v1/incidents", data=chunks(), headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status == 413
    assert sent < 64  # the server answered and closed before the whole body was sent
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


# --- triage through the API ---------------------------------------------------------------------


async def test_obscene_post_is_flagged_for_the_curator(client, sessions) -> None:
    response = await post(client, payload(text="Бля, когда уже починят эту дорогу?"))
    data = await response.json()
    assert data["flags"] == ["possible_p21", "obscene"]
    [row] = await incident_rows(sessions)
    assert row.flags == ["possible_p21", "obscene"]
    assert row.status is IncidentStatus.NEW  # flagged, not closed: the curator decides (п.21)


async def test_topic_and_organisations_are_suggested(client, sessions) -> None:
    await post(client, payload(text="Во дворе огромная яма, асфальт разбит"))
    [row] = await incident_rows(sessions)
    assert (row.suggested_topic, row.suggested_orgs, row.flags) == ("Дороги", ["roads"], [])
    assert row.topic is None  # only a suggestion: routing (п.10) sets the topic


async def test_topic_hint_is_used(client, sessions) -> None:
    await post(client, payload(text="Когда включат горячую воду?", topic_hint="ЖКХ"))
    [row] = await incident_rows(sessions)
    assert (row.suggested_topic, row.suggested_orgs) == ("ЖКХ", [])


async def test_near_identical_post_by_the_same_author_is_attached(client, sessions) -> None:
    first = await (await post(client, payload())).json()
    repeat = payload(
        url="https://vk.com/wall-777_13?reply=99",
        external_id="mon-2",
        text=payload()["text"].upper() + "!!!",
    )
    response = await post(client, repeat)
    assert response.status == 200
    data = await response.json()
    assert (data["outcome"], data["id"], data["duplicates"]) == ("duplicate", first["id"], 1)
    totals = await counts(sessions)
    assert (totals["incidents"], totals["duplicates"], totals["events"]) == (1, 1, 1)
    async with sessions() as session:
        [attached] = (await session.execute(select(DuplicatePost))).scalars().all()
    assert (attached.incident_id, attached.url, attached.external_id) == (
        first["id"],
        repeat["url"],
        "mon-2",
    )
    # VK or the monitor retrying the duplicate attaches nothing more.
    again = await post(client, repeat)
    assert (await again.json())["outcome"] == "duplicate"
    assert await counts(sessions) == totals


async def test_same_text_by_another_author_is_a_new_incident(client, sessions) -> None:
    await post(client, payload())
    other = payload(
        url="https://vk.com/wall-777_14", external_id="m3", author_url="https://vk.com/id9"
    )
    assert (await post(client, other)).status == 201
    assert (await counts(sessions))["duplicates"] == 0


async def test_same_text_after_a_day_is_a_new_incident(client, sessions, clock) -> None:
    await post(client, payload(detected_at=..., published_at=...))
    clock.advance(timedelta(hours=25))
    later = payload(
        url="https://vk.com/wall-777_15", external_id="m4", detected_at=..., published_at=...
    )
    assert (await post(client, later)).status == 201
    assert (await counts(sessions))["incidents"] == 2


async def test_same_text_after_the_incident_is_closed_is_a_new_incident(
    client, sessions, service, people
) -> None:
    first = await (await post(client, payload())).json()
    await service.perform(
        first["id"], people.people["curator"], CloseNoAnswer(reason=NoAnswerReason.OBSCENE)
    )
    again = payload(url="https://vk.com/wall-777_16", external_id="m5")
    response = await post(client, again)
    assert response.status == 201
    assert (await counts(sessions))["incidents"] == 2


# --- configuration --------------------------------------------------------------------------------


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
