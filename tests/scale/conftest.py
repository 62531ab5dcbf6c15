"""Fixtures of the production tests: a clock, the intake service, a throwaway Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.intake.service import IntakeService
from bot.intake.triage import TriageRules
from tests.support.fake_telegram import fake_bot, fake_telegram
from tests.support.redis_server import find_redis_server, running_redis

__all__ = ["fake_bot", "fake_telegram"]

START = datetime(2026, 4, 29, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))  # a Wednesday


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def intake(service, sessions, clock) -> IntakeService:
    return IntakeService(service, sessions, clock, TriageRules(topics=[]))


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A redis-server of the session's own (TEST_REDIS_URL to use another)."""
    given = os.environ.get("TEST_REDIS_URL")
    if given:
        yield given
        return
    if find_redis_server() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must test Redis, but redis-server was not found")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    with running_redis() as url:
        yield url
