"""Intake fixtures: the service on a migrated database, and a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.intake import IntakeConfig
from bot.intake.http_api import create_intake_app
from bot.intake.service import IntakeService
from bot.intake.triage import Sender, TopicRule, TriageRules
from db.models import DuplicatePost, EventRow, IncidentRow, OutboxRow

MSK = ZoneInfo("Europe/Moscow")
START = datetime(2026, 4, 29, 10, 0, tzinfo=MSK)  # a Wednesday, 10:00 in the centre
TOKEN = "test-token-0123456789abcdef"
VK_GROUP = 777
VK_SECRET = "vk-secret-do-not-log-42"
VK_CONFIRMATION = "a1b2c3d4"
TOPICS = [
    TopicRule("Дороги", ("дорог", "ям", "асфальт", "тротуар"), ("roads",)),
    TopicRule("Благоустройство", ("парк", "сквер", "мусор", "детск площадк"), ("parks",)),
]


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def intake(service, sessions, clock) -> IntakeService:
    # The community's own account, as bot/app.py wires it from VK_GROUP_ID.
    community = frozenset({Sender("vk", -VK_GROUP)})
    return IntakeService(service, sessions, clock, TriageRules(topics=TOPICS), community=community)


@pytest.fixture
def config() -> IntakeConfig:
    return IntakeConfig(
        api_token=TOKEN,
        vk_group_id=VK_GROUP,
        vk_confirmation=VK_CONFIRMATION,
        vk_secret=VK_SECRET,
        rate_per_minute=6000,
        rate_burst=1000,
    )


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


MakeClient = Callable[..., Awaitable[TestClient]]


@pytest.fixture
async def make_client(intake, config, monotonic) -> AsyncIterator[MakeClient]:
    clients: list[TestClient] = []

    async def make(config: IntakeConfig = config, intake: IntakeService = intake) -> TestClient:
        app = create_intake_app(config, intake, monotonic=monotonic)
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def client(make_client, people) -> TestClient:
    return await make_client()


AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def counts(sessions) -> dict[str, int]:
    """Rows written by detection: incidents, their events, outbox rows, attached duplicates."""
    result = {}
    async with sessions() as session:
        for name, model in (
            ("incidents", IncidentRow),
            ("events", EventRow),
            ("outbox", OutboxRow),
            ("duplicates", DuplicatePost),
        ):
            query = select(func.count()).select_from(model)
            result[name] = int((await session.execute(query)).scalar_one())
    return result


async def incident_rows(sessions) -> list[IncidentRow]:
    async with sessions() as session:
        rows = await session.execute(select(IncidentRow).order_by(IncidentRow.id))
        return list(rows.scalars())


async def outbox_rows(sessions) -> list[OutboxRow]:
    async with sessions() as session:
        rows = await session.execute(select(OutboxRow).order_by(OutboxRow.id))
        return list(rows.scalars())


def payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "source": "vk",
        "url": "https://vk.com/wall-777_12?reply=45",
        "author_name": "Иван Петров",
        "author_url": "https://vk.com/id12345",
        "text": "Когда отремонтируют дорогу на улице Ленина? Яма у школы № 3 уже месяц.",
        "attachments": ["https://vk.com/photo12345_456239017"],
        "published_at": "2026-04-29T09:40:00+03:00",
        "detected_at": "2026-04-29T09:45:00+03:00",
        "importance": "normal",
        "topic_hint": None,
        "external_id": "mon-1",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not ...}
