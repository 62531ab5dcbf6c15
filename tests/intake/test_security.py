"""Rate limits, the bind address, failures: the intake refuses before it writes."""

from __future__ import annotations

import json
import logging
import socket
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from bot.intake import IntakeConfig
from bot.intake.http_api import IntakeServer, RateLimiter
from tests.intake.conftest import AUTH, TOKEN, VK_GROUP, VK_SECRET, FakeMonotonic, counts, payload

NOTHING = {"incidents": 0, "events": 0, "outbox": 0, "duplicates": 0}


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(per_minute=60, burst=3, monotonic=clock)
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(1.0)
    assert limiter.acquire("b") == 0.0  # per address
    clock.now += 0.5
    assert limiter.acquire("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.acquire("a") == 0.0
    clock.now += 3600
    assert [limiter.acquire("a") for _ in range(4)][-1] > 0  # refills up to the burst only


def test_token_bucket_forgets_idle_clients() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(per_minute=60, burst=2, monotonic=clock, max_clients=10)
    for index in range(10):
        limiter.acquire(f"10.0.0.{index}")
    clock.now += 10  # every bucket is full again
    limiter.acquire("10.0.1.1")
    assert len(limiter._buckets) == 1


@pytest.fixture
def limited(config) -> IntakeConfig:
    return replace(config, rate_per_minute=60, rate_burst=2)


async def test_too_many_requests_get_429_with_retry_after(
    make_client, people, sessions, limited, monotonic, caplog
) -> None:
    client = await make_client(limited)
    for _ in range(2):
        assert (await client.get("/api/v1/openapi.json")).status == 200
    refused = await client.post("/api/v1/incidents", json=payload(), headers=AUTH)
    assert refused.status == 429
    assert refused.headers["Retry-After"] == "1"
    assert (await refused.json())["error"] == "rate_limited"
    assert await counts(sessions) == NOTHING
    assert "429 rate limit" in caplog.text
    monotonic.now += 1.0
    assert (await client.post("/api/v1/incidents", json=payload(), headers=AUTH)).status == 201


async def test_rate_limit_counts_before_the_token(make_client, people, limited) -> None:
    client = await make_client(limited)
    wrong = {"Authorization": "Bearer guess-guess-guess-guess"}
    statuses = [
        (await client.post("/api/v1/incidents", json=payload(), headers=wrong)).status
        for _ in range(4)
    ]
    assert statuses == [401, 401, 429, 429]  # guessing tokens is slowed down as well


async def test_vk_gets_429_as_text(make_client, people, limited) -> None:
    client = await make_client(limited)
    body = {"type": "confirmation", "group_id": VK_GROUP}
    responses = [await client.post("/vk/callback", json=body) for _ in range(3)]
    assert [r.status for r in responses] == [200, 200, 429]
    assert responses[-1].content_type == "text/plain"
    assert "Retry-After" in responses[-1].headers


async def test_forwarded_for_is_believed_only_from_a_trusted_proxy(
    make_client, people, limited
) -> None:
    untrusted = await make_client(limited)
    for index in range(2):
        headers = {"X-Forwarded-For": f"203.0.113.{index}"}
        assert (await untrusted.get("/api/v1/openapi.json", headers=headers)).status == 200
    headers = {"X-Forwarded-For": "203.0.113.9"}
    assert (await untrusted.get("/api/v1/openapi.json", headers=headers)).status == 429

    behind_proxy = await make_client(replace(limited, trusted_proxies=frozenset({"127.0.0.1"})))
    for index in range(4):
        headers = {"X-Forwarded-For": f"198.51.100.7, 203.0.113.{index}"}
        assert (await behind_proxy.get("/api/v1/openapi.json", headers=headers)).status == 200


async def test_a_failure_writes_nothing_and_hides_the_details(
    make_client, people, intake, sessions, monkeypatch, caplog
) -> None:
    client = await make_client()

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("connection to server at 10.0.0.5 failed")

    monkeypatch.setattr(intake, "submit", broken)
    response = await client.post("/api/v1/incidents", json=payload(), headers=AUTH)
    assert response.status == 500
    body = await response.json()
    assert body["error"] == "internal" and "10.0.0.5" not in json.dumps(body)
    assert "10.0.0.5" in caplog.text  # for the operator, in the log
    assert await counts(sessions) == NOTHING


async def test_server_binds_to_loopback_by_default_and_serves(intake, people, sessions) -> None:
    config = IntakeConfig(api_token=TOKEN, port=1)  # any port; replaced below
    assert config.host == "127.0.0.1"
    server = IntakeServer(replace(config, port=_free_port()), intake)
    await server.start()
    try:
        hosts = {address[0] for address in server._runner.addresses}  # type: ignore[union-attr]
        assert hosts == {"127.0.0.1"}
        async with aiohttp.ClientSession() as http:
            response = await http.post(
                f"http://127.0.0.1:{server.port}/api/v1/incidents", json=payload(), headers=AUTH
            )
            assert response.status == 201
    finally:
        await server.stop()
    assert (await counts(sessions))["incidents"] == 1


async def test_refusals_never_log_secrets(make_client, people, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client = await make_client()
    await client.post(
        "/api/v1/incidents", json=payload(), headers={"Authorization": f"Bearer {TOKEN[::-1]}"}
    )
    await client.post(
        "/vk/callback",
        json={"type": "wall_post_new", "group_id": VK_GROUP, "secret": VK_SECRET[::-1]},
    )
    assert caplog.text.count("intake refused") == 2
    for secret in (TOKEN, TOKEN[::-1], VK_SECRET, VK_SECRET[::-1]):
        assert secret not in caplog.text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
