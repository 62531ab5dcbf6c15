"""Benchmark the HTTP intake: a burst of POST /api/v1/incidents to a real server.

Run by hand from the repository root: `python bench/bench_intake.py [--count 1000]`.

The server runs in this process on 127.0.0.1 against a SQLite file database (migrated, with
a small directory seeded, so every incident writes its curators' messages and cards to the
outbox); the client runs in a child process, so that this process's CPU time is the
intake's own (HTTP, validation, triage, detection, SQLite). It checks that every incident
was stored exactly once (and that a second burst of repeats stores nothing), then prints
the cost per incident in CPU milliseconds, the throughput and the server-side latency.
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
from sqlalchemy import func, select

from bot.clock import SystemClock
from bot.intake import IntakeConfig
from bot.intake.http_api import create_intake_app
from bot.intake.service import IntakeService
from bot.intake.triage import TopicRule, TriageRules
from bot.services.calendars import CalendarConfig
from bot.services.incidents import IncidentService
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import EventRow, IncidentRow, OutboxRow
from tests.support.directory_seed import seed_directory
from workflow.calendar import CalendarOverrides
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


async def bench(count: int, concurrency: int, database: Path) -> int:
    url = f"sqlite+aiosqlite:///{database}"
    engine = create_engine(url)
    await upgrade(engine)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        await seed_directory(session)
    clock = SystemClock()
    calendar = CalendarConfig(
        timezone="Europe/Moscow",
        office_hours="mon-fri 09:00-18:00 break 13:00-14:00",
        always=False,
        overrides=CalendarOverrides(frozenset(), frozenset(), frozenset()),
    )
    service = IncidentService(sessions, clock, Policy(), calendar)
    rules = TriageRules(
        topics=[
            TopicRule("Дороги", ("дорог", "ям", "тротуар"), ("roads",)),
            TopicRule("Благоустройство", ("мусор", "сквер", "детск площадк"), ("parks",)),
        ]
    )
    intake = IntakeService(service, sessions, clock, rules)
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
    try:
        cpu_before = time.process_time()
        wall_before = time.perf_counter()
        first = await asyncio.to_thread(run_client, endpoint, count, concurrency, "run")
        wall = time.perf_counter() - wall_before
        cpu = time.process_time() - cpu_before
        burst_latencies = list(latencies)
        # The same burst again: every one must come back 200 with nothing new written.
        repeat = await asyncio.to_thread(run_client, endpoint, count, concurrency, "run")
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
                select(func.count()).select_from(OutboxRow).where(OutboxRow.kind == "message")
            )
        ).scalar()
    await engine.dispose()

    ok = (
        first["statuses"] == {"201": count}
        and repeat["statuses"] == {"200": count}
        and first["ids"] == count
        and incidents == distinct == events == count
        and messages == 2 * count  # the curator and the deputy, privately
    )
    print(f"incidents POSTed in a burst : {count} (client concurrency {concurrency})")
    print(f"first burst statuses        : {first['statuses']}")
    print(f"repeat burst statuses       : {repeat['statuses']}")
    print(f"stored incidents / distinct : {incidents} / {distinct} (events {events})")
    print(f"curator messages in outbox  : {messages}")
    print(f"wall time of the burst      : {wall:.2f} s  → {count / wall:.0f} incidents/s")
    print(f"intake CPU per incident     : {1000 * cpu / count:.2f} ms (server process)")
    print(
        "server latency per request  : "
        f"median {1000 * statistics.median(burst_latencies):.1f} ms, "
        f"p95 {1000 * statistics.quantiles(burst_latencies, n=20)[-1]:.1f} ms "
        f"(queued behind SQLite's one writer)"
    )
    print("all stored, none duplicated : " + ("yes" if ok else "NO"))
    return 0 if ok else 1


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
        return asyncio.run(bench(args.count, args.concurrency, Path(directory) / "bench.sqlite3"))


if __name__ == "__main__":
    sys.exit(main())
