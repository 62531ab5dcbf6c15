"""Prometheus metrics (prometheus-client), served at /metrics by bot/http_endpoints.py.

Counted as things happen: every Bot API request (through a request middleware on the bot's
session, so the sender, the handlers and the alerts are all seen without touching them),
intake requests by route and status, deadline scans. Read from the database at each scrape:
the outbox backlog and the age of its oldest due row, deadlines due and overdue.

Each `Metrics` has its own registry: two in one process (tests) do not collide.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import TelegramType
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.deadlines.scanner import DeadlineScanner, TickReport
from db.health_repository import HealthRepository

PREFIX = "incident_bot"
_ERROR_KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (TelegramRetryAfter, "retry_after"),
    (TelegramMigrateToChat, "migrated"),
    (TelegramForbiddenError, "forbidden"),
    (TelegramNotFound, "not_found"),
    (TelegramBadRequest, "bad_request"),
    (TelegramUnauthorizedError, "unauthorized"),
    (TelegramConflictError, "conflict"),
    (TelegramServerError, "server_error"),
    (TelegramNetworkError, "network"),
    (TimeoutError, "timeout"),
)


def error_kind(error: BaseException) -> str:
    for kind, name in _ERROR_KINDS:
        if isinstance(error, kind):
            return name
    return "other"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.sends = Counter(
            f"{PREFIX}_telegram_sends",
            "Bot API requests answered ok, by method",
            ["method"],
            registry=r,
        )
        self.send_errors = Counter(
            f"{PREFIX}_telegram_send_errors",
            "Bot API requests that failed, by method and kind of error",
            ["method", "kind"],
            registry=r,
        )
        self.retry_after = Counter(
            f"{PREFIX}_telegram_retry_after",
            "429 Too Many Requests answers from the Bot API",
            registry=r,
        )
        self.send_seconds = Histogram(
            f"{PREFIX}_telegram_send_seconds",
            "Bot API request latency, by method",
            ["method"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=r,
        )
        self.outbox_backlog = Gauge(
            f"{PREFIX}_outbox_backlog", "Outbox rows not yet sent", registry=r
        )
        self.outbox_oldest_age = Gauge(
            f"{PREFIX}_outbox_oldest_age_seconds",
            "Age of the oldest due outbox row not yet sent (0 when none)",
            registry=r,
        )
        self.deadlines_due = Gauge(
            f"{PREFIX}_deadlines_due",
            "Running deadlines whose next alert is due (the scanner has yet to fire it)",
            registry=r,
        )
        self.deadlines_overdue = Gauge(
            f"{PREFIX}_deadlines_overdue", "Running deadlines past their due time", registry=r
        )
        self.intake_requests = Counter(
            f"{PREFIX}_intake_requests",
            "HTTP intake requests by route and status",
            ["route", "status"],
            registry=r,
        )
        self.scan_seconds = Histogram(
            f"{PREFIX}_deadline_scan_seconds",
            "Duration of one deadline scan",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
            registry=r,
        )
        self.database_up = Gauge(
            f"{PREFIX}_database_up", "1 when the last scrape could read the database", registry=r
        )
        self.sender_leader = Gauge(
            f"{PREFIX}_outbox_sender_active",
            "1 while this process is the one that sends the outbox",
            registry=r,
        )

    async def refresh(self, sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
        """Read the backlog and the deadlines; the gauges keep their last values on failure."""
        try:
            async with sessions() as session:
                repository = HealthRepository(session)
                backlog = await repository.outbox_backlog(now)
                load = await repository.deadline_load(now)
        except Exception:
            self.database_up.set(0)
            raise
        self.database_up.set(1)
        self.outbox_backlog.set(backlog.pending)
        oldest = backlog.oldest_created_at
        self.outbox_oldest_age.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        self.deadlines_due.set(load.due)
        self.deadlines_overdue.set(load.overdue)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def watch(self, bot: Bot) -> None:
        """Count and time every request the bot makes."""
        bot.session.middleware(_RequestMetrics(self))


class _RequestMetrics(BaseRequestMiddleware):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        if isinstance(method, GetUpdates):  # long polling: its wait is no latency
            return await make_request(bot, method)
        name = method.__api_method__
        started = time.monotonic()
        try:
            response = await make_request(bot, method)
        except Exception as error:
            kind = error_kind(error)
            self._metrics.send_errors.labels(name, kind).inc()
            if kind == "retry_after":
                self._metrics.retry_after.inc()
            raise
        finally:
            self._metrics.send_seconds.labels(name).observe(time.monotonic() - started)
        self._metrics.sends.labels(name).inc()
        return response


class TimedScanner(DeadlineScanner):
    """The deadline scanner, each tick timed into `deadline_scan_seconds`."""

    def __init__(self, *args: Any, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._metrics = metrics

    async def tick(self) -> TickReport:
        with self._metrics.scan_seconds.time():
            return await super().tick()
