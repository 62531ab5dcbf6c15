"""A directory with official pages, the page service and the pages job on one ManualClock."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.directory.loader import parse_directory
from bot.directory.sync import import_directory
from bot.intake import IntakeConfig
from bot.intake.service import IntakeService
from bot.intake.vk import VkCallback
from bot.pages.jobs import PageJobs
from bot.services.incidents import IncidentService
from bot.services.pages import PageService
from db.directory_snapshot import PersonView
from db.models import OutboxRow, Person
from db.uow import UnitOfWork
from tests.conftest import MOSCOW_OFFICE
from workflow.alerts import AlertPolicy
from workflow.pages import PagePolicy
from workflow.policy import Policy

MSK = ZoneInfo("Europe/Moscow")
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
VK_GROUP = 218765432
CHANNEL = -1001777000111
CURATOR, MANAGER, ROADS_HEAD, ROADS_1, PARKS_HEAD = 1001, 4001, 2000, 2001, 3000

PEOPLE = f"""
people:
  - key: curator
    full_name: Иванова Анна
    telegram_id: {CURATOR}
    roles: [curator]
    organisation: mcu
  - key: manager
    full_name: Сидоров Олег
    telegram_id: {MANAGER}
    roles: [manager]
  - key: roads_head
    full_name: Дорогин Пётр
    telegram_id: {ROADS_HEAD}
    roles: [executor, responsible]
    organisation: roads
  - key: roads1
    full_name: Мостов Иван
    telegram_id: {ROADS_1}
    roles: [executor]
    organisation: roads
{{roads1_active}}
  - key: parks_head
    full_name: Садова Мария
    telegram_id: {PARKS_HEAD}
    roles: [executor, responsible]
    organisation: parks
"""

ROADS_PAGE = f"""
  - organisation: roads
    network: vk
    url: https://vk.com/club{VK_GROUP}
    vk_group_id: {VK_GROUP}
    kind: organisation
    responsible: roads_head
    authorised: [roads1]
    state_mark: true
    weekly_quota: 3
"""

PARKS_PAGES = f"""
  - organisation: parks
    network: telegram
    url: https://t.me/parks_news
    telegram_chat_id: {CHANNEL}
    responsible: parks_head
  - organisation: parks
    network: ok
    url: https://ok.ru/group/70000001
    kind: head
    responsible: parks_head
"""


def directory(*, roads_page: bool = True, roads1_active: bool = True) -> str:
    pages = (ROADS_PAGE if roads_page else "") + PARKS_PAGES
    people = PEOPLE.replace("{roads1_active}", "" if roads1_active else "    active: false")
    return f"""
centre:
  code: mcu
  name: Муниципальный центр управления
  timezone: Europe/Moscow
organisations:
  - code: roads
    name: Управление дорог
    timezone: Asia/Vladivostok
  - code: parks
    name: Управление парков
{people}
pages:
{pages}
"""


def msk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=MSK)  # type: ignore[misc]


async def load(sessions: async_sessionmaker[AsyncSession], text: str) -> None:
    await import_directory(sessions, parse_directory(text))


async def outbox(sessions: async_sessionmaker[AsyncSession], key: str) -> list[OutboxRow]:
    async with sessions() as session:
        rows = await session.scalars(select(OutboxRow).where(OutboxRow.key.startswith(key)))
        return list(rows.all())


async def person_id(sessions: async_sessionmaker[AsyncSession], key: str) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(Person.id).where(Person.key == key)))  # type: ignore[arg-type]


def vk_event(obj: dict[str, Any], event_type: str = "wall_post_new") -> bytes:
    body = {"type": event_type, "object": obj, "group_id": VK_GROUP, "event_id": "e1", "v": "5.199"}
    body["secret"] = "s3cret"
    return json.dumps(body).encode()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(msk(2026, 5, 18, 8))  # Monday, before the office opens


@pytest.fixture
def page_policy() -> PagePolicy:
    return PagePolicy()


@pytest.fixture
def pages(sessions, clock, page_policy) -> PageService:
    return PageService(sessions, clock, MOSCOW_OFFICE, page_policy)


@pytest.fixture
def jobs(sessions, clock, page_policy) -> PageJobs:
    return PageJobs(sessions, clock, MOSCOW_OFFICE, page_policy, AlertPolicy())


@pytest.fixture
async def registry(sessions) -> None:
    await load(sessions, directory())


@pytest.fixture
def intake(sessions, clock) -> IntakeService:
    return IntakeService(IncidentService(sessions, clock, Policy(), MOSCOW_OFFICE), sessions, clock)


@pytest.fixture
def vk(intake, pages) -> VkCallback:
    config = IntakeConfig(vk_group_id=VK_GROUP, vk_confirmation="abc", vk_secret="s3cret")
    return VkCallback(config, intake, pages)


async def person(sessions: async_sessionmaker[AsyncSession], key: str) -> PersonView:
    async with UnitOfWork(sessions) as uow:
        found = await uow.directory.person_by_key(key)
    assert found is not None
    return found
