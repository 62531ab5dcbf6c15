"""/healthz, /readyz and /metrics on the intake's HTTP server (bot/http_endpoints.py)."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiogram import Bot
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.http_endpoints import Endpoints, build_http_app
from bot.intake import IntakeConfig
from bot.metrics import Metrics
from db.engine import create_engine, create_session_factory
from tests.support.fake_telegram import FakeTelegram

TOKEN = "metrics-test-token-0123456789"
CONFIG = IntakeConfig(api_token=TOKEN, rate_per_minute=6000, rate_burst=1000)
SERIES = {
    "incident_bot_outbox_backlog",
    "incident_bot_outbox_oldest_age_seconds",
    "incident_bot_telegram_sends",
    "incident_bot_telegram_send_errors",
    "incident_bot_telegram_retry_after",
    "incident_bot_telegram_send_seconds",
    "incident_bot_deadlines_due",
    "incident_bot_deadlines_overdue",
    "incident_bot_intake_requests",
    "incident_bot_deadline_scan_seconds",
}


@pytest.fixture
def metrics(fake_bot: Bot) -> Metrics:
    metrics = Metrics()
    metrics.watch(fake_bot)
    return metrics


@pytest.fixture
async def client(sessions, fake_bot, metrics, clock, intake, people) -> AsyncIterator[TestClient]:
    endpoints = Endpoints(sessions, fake_bot, metrics, clock, ready_timeout=2)
    app = build_http_app(CONFIG, intake, endpoints, metrics, fake_bot)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _post(client: TestClient, external_id: str):
    body = {
        "source": "vk",
        "url": f"https://vk.com/wall-777_{external_id}",
        "author_name": "Иван Петров",
        "text": "Яма на дороге у школы № 3 уже месяц.",
        "published_at": "2026-04-29T09:40:00+03:00",
        "external_id": external_id,
    }
    return client.post(
        "/api/v1/incidents",
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )


async def test_healthz_answers_while_the_process_runs(client) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"


async def test_readyz_with_database_and_bot_api_up(client) -> None:
    response = await client.get("/readyz")
    assert response.status == 200, await response.text()
    assert await response.json() == {"status": "ready", "database": "ok", "telegram": "ok"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_readyz_fails_with_the_database_down(fake_bot, metrics, clock) -> None:
    engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{_closed_port()}/nothing")
    endpoints = Endpoints(create_session_factory(engine), fake_bot, metrics, clock, ready_timeout=2)
    app = build_http_app(IntakeConfig(), None, endpoints, metrics, fake_bot)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.get("/readyz")
        body = await response.json()
        metrics_text = await (await client.get("/metrics")).text()
    await engine.dispose()
    assert response.status == 503
    assert body["status"] == "not ready"
    assert body["database"].startswith("error:")
    assert body["telegram"] == "ok"
    # The counters are still served; the gauges say the database could not be read.
    assert _samples(metrics_text)[("incident_bot_database_up", ())] == 0


async def test_readyz_fails_with_the_bot_api_down(client, fake_telegram: FakeTelegram) -> None:
    fake_telegram.fail_next(1, "server_error", methods={"getMe"})
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 503
    assert body["database"] == "ok"
    assert body["telegram"].startswith("error: TelegramServerError")


async def test_metrics_answer_with_the_named_series(
    client,
    fake_bot,
    fake_telegram: FakeTelegram,
    clock,
) -> None:
    assert (await _post(client, "m-1")).status == 201
    assert (await _post(client, "m-1")).status == 200  # the same post again: known
    assert (await client.get("/api/v1/incidents/999999")).status in (401, 404)
    await fake_bot.send_message(42, "hello")
    fake_telegram.fail_next(1, "retry_after", retry_after=1)
    with pytest.raises(Exception, match="retry after"):
        await fake_bot.send_message(42, "too fast")
    clock.advance(timedelta(days=30))  # every deadline of the incident is long overdue

    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    text = await response.text()
    names = {family.name for family in text_string_to_metric_families(text)}
    assert names >= SERIES, SERIES - names
    samples = _samples(text)
    route = (("route", "incident_post"),)
    assert samples[("incident_bot_intake_requests_total", (*route, ("status", "201")))] == 1
    assert samples[("incident_bot_intake_requests_total", (*route, ("status", "200")))] == 1
    assert samples[("incident_bot_telegram_sends_total", (("method", "sendMessage"),))] == 1
    assert samples[("incident_bot_telegram_retry_after_total", ())] == 1
    error = (("kind", "retry_after"), ("method", "sendMessage"))
    assert samples[("incident_bot_telegram_send_errors_total", error)] == 1
    assert samples[("incident_bot_outbox_backlog", ())] >= 1  # the new card, not sent here
    assert samples[("incident_bot_outbox_oldest_age_seconds", ())] >= 30 * 24 * 3600 - 60
    assert samples[("incident_bot_deadlines_overdue", ())] >= 1
    assert samples[("incident_bot_deadlines_due", ())] >= 1
    assert samples[("incident_bot_database_up", ())] == 1
