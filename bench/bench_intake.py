"""Benchmark the intake: a burst of POST /api/v1/incidents to a real server, and side by
side in the same run the intake pipeline without HTTP and bare detection without triage.

Run by hand from the repository root: `python bench/bench_intake.py [--count 1000]`.

The server runs in this process on 127.0.0.1 against a SQLite file database (migrated, with
a small directory seeded, so every incident writes its curators' messages and cards to the
outbox); the client runs in a child process, so that this process's CPU time is the
intake's own (HTTP, validation, triage, detection, SQLite). It checks that every incident
was stored exactly once (and that a second burst of repeats stores nothing), then prints
for each path the CPU milliseconds per incident, incidents per second and the SQL
statements per intake call (counted by an engine `before_cursor_execute` listener), and
how often the triage rules were loaded (once, not per call).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from aiohttp import web
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import SystemClock
from bot.intake import IntakeConfig
from bot.intake.http_api import create_intake_app
from bot.intake.rules import TriageRulesCache
from bot.intake.service import IntakeService, Outcome
from bot.intake.triage import TopicRule, TriageRules
from bot.services.calendars import CalendarConfig
from bot.services.incidents import IncidentService
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import EventRow, IncidentRow, OutboxRow
from db.uow import UnitOfWork
from tests.support.directory_seed import seed_directory
from workflow.calendar import CalendarOverrides
from workflow.model import Post, Source
from workflow.policy import Policy

TOKEN = "bench-token-0123456789abcdef"
TEXTS = [
    "Когда отремонтируют дорогу на улице Ленина? Яма у школы уже месяц.",
    "Во дворе дома {n} по улице Мира третий день не вывозят мусор.",
    "На детской площадке в сквере сломаны качели, дети могут пораниться.",
    "Не горят фонари на тротуаре вдоль проспекта, вечером очень темно.",
]


def body(number: int, run: str) -> dict[str, Any]:
    return {
        "source": "vk",
        "url": f"https://vk.com/wall-777_{number}?reply={number}",
        "author_name": f"Житель {number}",
        "author_url": f"https://vk.com/id{100000 + number}",
        "text": TEXTS[number % len(TEXTS)].format(n=number) + f" (обращение {number})",
        "attachments": [f"https://vk.com/photo{100000 + number}_1"],
        "external_id": f"{run}-{number}",
    }


# --- the client (child process) ---------------------------------------------------------------


async def client_burst(url: str, count: int, concurrency: int, run: str) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as http:

        async def one(number: int) -> tuple[int, int]:
            async with http.post(url, json=body(number, run)) as response:
                data = await response.json()
                return response.status, int(data.get("id", 0))

        started = time.perf_counter()
        results = await asyncio.gather(*(one(n) for n in range(count)))
        elapsed = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {"statuses": statuses, "ids": len({i for _, i in results}), "seconds": elapsed}


def run_client(url: str, count: int, concurrency: int, run: str) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--client",
        url,
        "--count",
        str(count),
        "--concurrency",
        str(concurrency),
        "--run",
        run,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(output))


# --- the server (this process) ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


CALENDAR = CalendarConfig(
    timezone="Europe/Moscow",
    office_hours="mon-fri 09:00-18:00 break 13:00-14:00",
    always=False,
    overrides=CalendarOverrides(frozenset(), frozenset(), frozenset()),
)
RULES = TriageRules(
    topics=[
        TopicRule("Дороги", ("дорог", "ям", "тротуар"), ("roads",)),
        TopicRule("Благоустройство", ("мусор", "сквер", "детск площадк"), ("parks",)),
    ]
)


def rules_cache() -> TriageRulesCache:
    """Rules loaded on first use, as in the bot (from the directory there, fixed here)."""

    async def load(uow: UnitOfWork) -> TriageRules:
        return RULES

    return TriageRulesCache(load)


class StatementCounter:
    """SQL statements sent by the engine (every execute, executemany counted once)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        self.count += 1


async def open_database(
    database: Path,
) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade(engine)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        await seed_directory(session)
    return engine, sessions


def post(number: int, run: str) -> Post:
    data = body(number, run)
    return Post(
        Source.VK,
        data["url"],
        data["text"],
        author_name=data["author_name"],
        author_url=data["author_url"],
        external_id=data["external_id"],
        attachments=tuple(data["attachments"]),
    )


async def in_process(count: int, database: Path, *, triage: bool) -> dict[str, float]:
    """One at a time, in this process: the intake pipeline (`triage`) or bare detection."""
    engine, sessions = await open_database(database)
    clock = SystemClock()
    service = IncidentService(sessions, clock, Policy(), CALENDAR)
    intake = IntakeService(service, sessions, clock, rules_cache())
    counter = StatementCounter(engine)
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    created = 0
    for number in range(count):
        if triage:
            created += (await intake.submit(post(number, "seq"))).outcome is Outcome.CREATED
        else:
            created += (await service.detect(post(number, "seq"))).created
    cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
    statements = counter.count
    repeats_before = counter.count
    for number in range(min(count, 100)):
        if triage:
            await intake.submit(post(number, "seq"))
        else:
            await service.detect(post(number, "seq"))
    repeat_statements = (counter.count - repeats_before) / min(count, 100)
    await engine.dispose()
    assert created == count, f"{created} of {count} created"
    return {
        "cpu_ms": 1000 * cpu / count,
        "per_second": count / wall,
        "statements": statements / count,
        "repeat_statements": repeat_statements,
        "rule_loads": float(intake.rules.loads),
    }


async def over_http(count: int, concurrency: int, database: Path) -> dict[str, Any]:
    engine, sessions = await open_database(database)
    clock = SystemClock()
    service = IncidentService(sessions, clock, Policy(), CALENDAR)
    intake = IntakeService(service, sessions, clock, rules_cache())
    port = free_port()
    config = IntakeConfig(
        api_token=TOKEN, port=port, rate_per_minute=10**7, rate_burst=10**6
    )  # the bench is one client address: the limiter must not be what is measured
    app = create_intake_app(config, intake)
    latencies: list[float] = []

    @web.middleware
    async def timing(request: web.Request, handler: Any) -> web.StreamResponse:
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            latencies.append(time.perf_counter() - started)

    app.middlewares.insert(0, timing)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    endpoint = f"http://127.0.0.1:{port}/api/v1/incidents"
    counter = StatementCounter(engine)
    try:
        cpu_before = time.process_time()
        wall_before = time.perf_counter()
        first = await asyncio.to_thread(run_client, endpoint, count, concurrency, "run")
        wall = time.perf_counter() - wall_before
        cpu = time.process_time() - cpu_before
        statements = counter.count
        burst_latencies = list(latencies)
        # The same burst again: every one must come back 200 with nothing new written.
        repeat = await asyncio.to_thread(run_client, endpoint, count, concurrency, "run")
        repeat_statements = counter.count - statements
    finally:
        await runner.cleanup()

    async with sessions() as session:
        incidents = (await session.execute(select(func.count()).select_from(IncidentRow))).scalar()
        distinct = (
            await session.execute(select(func.count(func.distinct(IncidentRow.external_id))))
        ).scalar()
        events = (await session.execute(select(func.count()).select_from(EventRow))).scalar()
        messages = (
            await session.execute(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.kind == "card")
            )
        ).scalar()
    await engine.dispose()
    ok = (
        first["statuses"] == {"201": count}
        and repeat["statuses"] == {"200": count}
        and first["ids"] == count
        and incidents == distinct == events == count
        and messages == 2 * count  # the new card to the curator and the deputy, privately
    )
    return {
        "ok": ok,
        "first": first,
        "repeat": repeat,
        "incidents": incidents,
        "distinct": distinct,
        "events": events,
        "messages": messages,
        "cpu_ms": 1000 * cpu / count,
        # The burst as the client timed it, first request to last answer (its own start-up
        # as a process is not the intake's).
        "per_second": count / first["seconds"],
        "wall_per_second": count / wall,
        "statements": statements / count,
        "repeat_statements": repeat_statements / count,
        "latencies": burst_latencies,
        "rule_loads": intake.rules.loads,
    }


async def bench(count: int, concurrency: int, directory: Path) -> int:
    http = await over_http(count, concurrency, directory / "http.sqlite3")
    pipeline = await in_process(count, directory / "pipeline.sqlite3", triage=True)
    bare = await in_process(count, directory / "bare.sqlite3", triage=False)
    latencies = http["latencies"]
    print(f"incidents POSTed in a burst : {count} (client concurrency {concurrency})")
    print(f"first burst statuses        : {http['first']['statuses']}")
    print(f"repeat burst statuses       : {http['repeat']['statuses']}")
    print(
        f"stored incidents / distinct : {http['incidents']} / {http['distinct']} "
        f"(events {http['events']})"
    )
    print(f"curators' cards in outbox   : {http['messages']}")
    print(
        "server latency per request  : "
        f"median {1000 * statistics.median(latencies):.1f} ms, "
        f"p95 {1000 * statistics.quantiles(latencies, n=20)[-1]:.1f} ms "
        f"(queued behind SQLite's one writer)"
    )
    print()
    print(
        f"{'path':<40} {'CPU ms/incident':>15} {'incidents/s':>12} "
        f"{'SQL/new':>8} {'SQL/repeat':>10}"
    )
    rows = [
        ("HTTP API → intake pipeline (burst)", http),
        ("intake pipeline, no HTTP (one by one)", pipeline),
        ("bare detection, no triage (baseline)", bare),
    ]
    for name, figures in rows:
        print(
            f"{name:<40} {figures['cpu_ms']:>15.2f} {figures['per_second']:>12.0f} "
            f"{figures['statements']:>8.1f} {figures['repeat_statements']:>10.1f}"
        )
    print()
    print(f"triage rules loaded         : {http['rule_loads']} time(s) for {2 * count} requests")
    print("all stored, none duplicated : " + ("yes" if http["ok"] else "NO"))
    return 0 if http["ok"] else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--client", help=argparse.SUPPRESS)  # the child process
    parser.add_argument("--run", default="run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        result = asyncio.run(client_burst(args.client, args.count, args.concurrency, args.run))
        print(json.dumps(result))
        return 0
    with tempfile.TemporaryDirectory() as directory:
        return asyncio.run(bench(args.count, args.concurrency, Path(directory)))


if __name__ == "__main__":
    sys.exit(main())
