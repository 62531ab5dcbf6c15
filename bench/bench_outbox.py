"""Benchmark the outbox sender against the fake Bot API server with Telegram's real limits.

Run by hand from the repository root:

    python bench/bench_outbox.py [--messages 600] [--chats 200] [--groups 50]
                                 [--latency 0.1] [--postgres | --database-url URL]
                                 [--detect 200 [--intake-concurrency 4] [--http]]

Writes the messages into a fresh database (SQLite in a temporary directory unless a URL is
given), runs the sender with the default limits (30 messages a second overall, 20 a minute
into a group, 1 a second into a chat), spread over many chats so that the per-chat limits are
not the bottleneck, and prints the achieved rate as a share of the 30/s ceiling (goal >= 95 %),
the number of limit violations seen at the server (goal 0), and messages lost or doubled.

With `--detect N`, N incidents are detected at once in this process while the sender runs
(as a burst of POSTs to the intake does; their cards and notices join the outbox), and the
rate while the burst is being written is printed too (goal >= 90 % of 30/s). With `--http`
they are POSTed at once to the HTTP intake served by this process, from a client in a child
process, as a monitoring system would send them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web

from bench import bench_intake as intake_bench
from bench.bench_flood import OFFICE, burst
from bot.clock import SystemClock
from bot.intake import IntakeConfig
from bot.intake.http_api import create_intake_app
from bot.intake.service import IntakeService
from bot.outbox import OutboxSender, SenderLimits, SenderOptions
from bot.services.incidents import IncidentService
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from tests.support.directory_seed import seed_directory
from tests.support.fake_telegram import FakeTelegram, limit_violations
from tests.support.outbox_helpers import (
    PlainRenderer,
    add_rows,
    delivered_keys,
)
from workflow.policy import Policy


async def bench(args: argparse.Namespace) -> int:
    limits = SenderLimits()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
        engine = create_engine(url)
        await upgrade(engine)
        factory = create_session_factory(engine)
        chats = [100_000 + n for n in range(args.chats - args.groups)]
        chats += [-5000 - n for n in range(args.groups)]
        expected: dict[int, list[str]] = {chat: [] for chat in chats}
        rows = []
        for number in range(args.messages):
            chat = chats[number % len(chats)]
            key = f"m{number:05d}"
            expected[chat].append(key)
            rows.append((chat, key))
        await add_rows(factory, rows)
        if args.detect:
            async with factory() as session, session.begin():
                await seed_directory(session)

        server = FakeTelegram()
        server.latency = args.latency
        await server.start()
        bot = server.bot()
        sender = OutboxSender(
            factory, bot, PlainRenderer(), limits, options=SenderOptions(poll_interval=1.0)
        )
        started = time.monotonic()
        cpu_started = time.process_time()
        burst_span = (started, started)
        try:
            if args.detect:
                service = IncidentService(factory, SystemClock(), Policy(), OFFICE)
                intake = IntakeService(service, factory, SystemClock(), intake_bench.rules_cache())
                # As the bot at start-up: the directory, calendars and rules loaded before
                # the first post (a cold first burst holds the loop for ~0.3 s while it loads).
                await intake.warm_up()
                stop = asyncio.Event()
                running = asyncio.create_task(sender.run(stop))
                # The burst comes while the sender is under way (its start-up, the first
                # second, is not what is measured here).
                await asyncio.sleep(WARM_UP)
                if args.http:
                    burst_span = await posted_burst(intake, args)
                else:
                    burst_started = time.monotonic()
                    await burst(service, args.detect, args.intake_concurrency)
                    burst_span = (burst_started, time.monotonic())
                await server.wait_until(
                    lambda: all(
                        len(delivered_keys(server, chat)) >= len(keys)
                        for chat, keys in expected.items()
                    ),
                    timeout=args.messages,
                )
                stop.set()
                await running
            else:
                await sender.drain()
        finally:
            await bot.session.close()
            await server.close()
            await engine.dispose()
        elapsed = time.monotonic() - started
        cpu = time.process_time() - cpu_started

    sends = sorted(c.at for c in server.calls_of("sendMessage") if c.outcome == "ok")
    span = sends[-1] - sends[0]
    rate = (len(sends) - 1) / span if span > 0 else float("inf")
    ceiling = limits.overall.count / limits.overall.seconds
    violations = limit_violations(server.calls, limits)
    lost = sum(
        1
        for chat, keys in expected.items()
        for key in keys
        if key not in delivered_keys(server, chat)
    )
    doubled = sum(len(delivered_keys(server, chat)) for chat in chats) - (args.messages - lost)
    print(f"database            {url.split(':')[0]}")
    print(f"messages            {args.messages} to {len(chats)} chats ({args.groups} groups)")
    print(f"API latency         {args.latency * 1000:.0f} ms (fake server)")
    print(f"wall time           {elapsed:.2f} s (first to last send {span:.2f} s)")
    print(f"achieved            {rate:.2f} msg/s = {100 * rate / ceiling:.1f} % of {ceiling:.0f}/s")
    if args.detect:
        during = [at for at in sends if burst_span[0] <= at <= burst_span[1]]
        length = burst_span[1] - burst_span[0]
        burst_rate = len(during) / length if length > 0 else 0.0
        print(
            f"during the burst    {args.detect} incidents detected in {length:.2f} s; sender "
            f"{burst_rate:.2f} msg/s = {100 * burst_rate / ceiling:.1f} % of {ceiling:.0f}/s"
        )
    print(f"process CPU         {cpu:.2f} s ({1000 * cpu / max(1, len(sends)):.1f} ms a send)")
    print(f"limit violations    {len(violations)}")
    print(f"lost / doubled      {lost} / {doubled}")
    return 0 if not violations and not lost and not doubled else 1


WARM_UP = 2.0  # seconds of sending before the burst starts


async def posted_burst(intake: IntakeService, args: argparse.Namespace) -> tuple[float, float]:
    """POST the incidents at once to the HTTP intake served by this process, from a client in
    a child process (bench_intake's); the burst is first request in to last answer out."""
    port = intake_bench.free_port()
    config = IntakeConfig(
        api_token=intake_bench.TOKEN, port=port, rate_per_minute=10**7, rate_burst=10**6
    )  # one client address: the intake's rate limit is not what is measured
    app = create_intake_app(config, intake)
    span: list[float] = []

    @web.middleware
    async def timing(request: web.Request, handler: Any) -> web.StreamResponse:
        span.append(time.monotonic())
        try:
            return await handler(request)
        finally:
            span.append(time.monotonic())

    app.middlewares.insert(0, timing)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        endpoint = f"http://127.0.0.1:{port}/api/v1/incidents"
        result = await asyncio.to_thread(
            intake_bench.run_client, endpoint, args.detect, args.intake_concurrency, "burst"
        )
    finally:
        await runner.cleanup()
    if result["statuses"] != {"201": args.detect}:
        raise SystemExit(f"the intake answered {result['statuses']}")
    return min(span), max(span)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--detect", type=int, default=0, help="incidents detected meanwhile")
    parser.add_argument("--intake-concurrency", type=int, default=4)
    parser.add_argument(
        "--http", action="store_true", help="POST the incidents to the HTTP intake instead"
    )
    parser.add_argument(
        "--postgres", action="store_true", help="start a throwaway PostgreSQL server and use it"
    )
    args = parser.parse_args()
    if args.postgres and not args.database_url:
        from tests.support.pg_server import running_postgres

        with running_postgres() as url:
            args.database_url = url
            sys.exit(asyncio.run(bench(args)))
    sys.exit(asyncio.run(bench(args)))


if __name__ == "__main__":
    main()
