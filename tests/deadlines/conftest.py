"""A seeded directory, the incident service and the scanner on one ManualClock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.deadlines.digests import DigestSender
from bot.deadlines.scanner import DeadlineScanner
from db.models import OutboxRow
from tests.conftest import MOSCOW_OFFICE
from workflow.alerts import AlertPolicy
from workflow.model import Post, Source

MSK = ZoneInfo("Europe/Moscow")
NSK = ZoneInfo("Asia/Novosibirsk")
CONFIG = MOSCOW_OFFICE


def msk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=MSK)  # type: ignore[misc]


def nsk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NSK)  # type: ignore[misc]


def post(number: int) -> Post:
    return Post(
        Source.VK, f"https://vk.com/wall-1_{number}", f"Яма № {number}", external_id=str(number)
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(msk(2026, 5, 20, 9))


@pytest.fixture
def make_scanner(sessions, clock) -> Callable[..., DeadlineScanner]:
    def make(policy: AlertPolicy | None = None, **kw) -> DeadlineScanner:
        return DeadlineScanner(sessions, clock, CONFIG, policy, **kw)

    return make


@pytest.fixture
def scanner(make_scanner) -> DeadlineScanner:
    return make_scanner()


@pytest.fixture
def digests(sessions, clock) -> DigestSender:
    return DigestSender(sessions, clock, CONFIG)


class Outbox:
    """Reads the outbox rows written since the last look."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._seen = 0

    async def all(self) -> list[OutboxRow]:
        async with self._sessions() as session:
            rows = await session.execute(select(OutboxRow).order_by(OutboxRow.id))
            return list(rows.scalars())

    async def new(
        self, *, kind: str | None = "message", prefix: str | None = "deadline."
    ) -> list[OutboxRow]:
        """New rows of that kind (None: all) whose key starts with `prefix` (None: any)."""
        async with self._sessions() as session:
            rows = list(
                (
                    await session.execute(
                        select(OutboxRow).where(OutboxRow.id > self._seen).order_by(OutboxRow.id)
                    )
                ).scalars()
            )
        if rows:
            self._seen = rows[-1].id
        return [
            row
            for row in rows
            if (kind is None or row.kind == kind) and (prefix is None or row.key.startswith(prefix))
        ]


@pytest.fixture
def outbox(sessions) -> Outbox:
    return Outbox(sessions)
