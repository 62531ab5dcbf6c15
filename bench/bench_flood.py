"""Benchmark a flood into one chat at the shipped limits, against a fake Bot API that enforces
Telegram's limits (20 messages a minute into a group, 30 a second overall: 429 retry_after).

Run by hand from the repository root: `python bench/bench_flood.py [--incidents 200]
[--waiting 300] [--latency 0.05]`.

1. `--incidents` incidents are detected at once (each in its own transaction, as a burst of
   POSTs does) while the sender runs; their cards go to the curators' group. Prints when each
   incident became visible there (its card, or a flood summary listing it): goal, all within
   60 s.
2. `--waiting` notices wait for the curators' group and an incident's card is already there;
   a press on it writes the card edit (the reply to the press) and the time until the edit
   reaches the API is printed: goal within 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import SystemClock
from bot.outbox import OutboxSender, Rendered, SenderLimits, SenderOptions
from bot.services.calendars import CalendarConfig
from bot.services.incidents import IncidentService
from bot.services.outbox_writer import OutboxWriter
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import GroupChat, Organisation, OutboxRow
from db.uow import UnitOfWork
from tests.support.directory_seed import seed_directory
from tests.support.fake_telegram import DELIVERY_METHODS, Call, FakeTelegram, _Fault
from tests.support.outbox_helpers import PlainRenderer, add_rows
from workflow.calendar import CalendarOverrides
from workflow.model import Post, Source
from workflow.policy import Policy

CENTRE_CHAT = -100100
OFFICE = CalendarConfig(
    timezone="Europe/Moscow",
    office_hours="mon-fri 09:00-18:00",
    always=True,
    overrides=CalendarOverrides(),
)


class LimitedTelegram(FakeTelegram):
    """Answers 429 with retry_after where Telegram would: more than 20 sends a minute into a
    group, more than 30 a second overall (the sends it accepted, failed ones not counted)."""

    def __init__(self) -> None:
        super().__init__()
        self._overall: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self.refused = 0

    def _pick_fault(self, call: Call) -> _Fault | None:
        fault = super()._pick_fault(call)
        if fault is not None or call.method not in DELIVERY_METHODS:
            return fault
        wait = self._wait(self._overall, 30, 1.0, call.at)
        if call.chat_id is not None and call.chat_id < 0:
            group = self._groups.setdefault(call.chat_id, deque())
            wait = max(wait, self._wait(group, 20, 60.0, call.at))
        if wait > 0:
            self.refused += 1
            return _Fault("retry_after", max(1, math.ceil(wait)), None, None)
        self._overall.append(call.at)
        if call.chat_id is not None and call.chat_id < 0:
            self._groups[call.chat_id].append(call.at)
        return None

    @staticmethod
    def _wait(sends: deque[float], count: int, seconds: float, now: float) -> float:
        while sends and sends[0] <= now - seconds:
            sends.popleft()
        return sends[0] + seconds - now if len(sends) >= count else 0.0


class CardNumbers(PlainRenderer):
    """A card's text names its incident, so that the bench can tell which one arrived."""

    async def __call__(self, session: AsyncSession, row: OutboxRow) -> Rendered:
        if row.kind == "card":
            # The row id changes the text, so that an edit is never "not modified".
            return Rendered(f"card #{row.incident_id} (row {row.id})")
        return await super().__call__(session, row)


async def _database(tmp: str) -> tuple[Any, async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp}/flood.sqlite3")
    await upgrade(engine)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        await seed_directory(session)
        centre = await session.get(Organisation, 1)  # the first seeded: the centre
        assert centre is not None and centre.is_centre
        session.add(GroupChat(chat_id=CENTRE_CHAT, title="centre", organisation_id=centre.id))
    return engine, sessions


def _sender(
    sessions: async_sessionmaker[AsyncSession], server: FakeTelegram, bot: Any
) -> OutboxSender:
    return OutboxSender(
        sessions,
        bot,
        CardNumbers(),
        SenderLimits(),  # the shipped limits
        options=SenderOptions(poll_interval=1.0),
        writer=OutboxWriter("ru"),
        open_card_data=lambda incident_id: f"c:{incident_id}:op:0",
    )


def _visible(server: FakeTelegram, started: float) -> dict[int, float]:
    """Incident -> seconds from the burst until its card or a summary naming it arrived."""
    seen: dict[int, float] = {}
    for call in server.calls_of("sendMessage"):
        if call.outcome != "ok" or call.chat_id != CENTRE_CHAT:
            continue
        text = str(call.params.get("text", ""))
        ids: list[int] = []
        if text.startswith("card #"):
            ids = [int(text.split()[1][1:])]
        markup = call.params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []) if isinstance(markup, dict) else []:
            ids += [int(b["callback_data"].split(":")[1]) for b in row if "callback_data" in b]
        for incident_id in ids:
            seen.setdefault(incident_id, call.at - started)
    return seen


async def burst(service: IncidentService, count: int, concurrency: int) -> list[Any]:
    """`count` detections at once, at most `concurrency` in a transaction at a time (SQLite
    has one writer: more only queue on its lock, and past busy_timeout they fail)."""
    gate = asyncio.Semaphore(concurrency)

    async def one(number: int) -> Any:
        async with gate:
            post = Post(Source.VK, f"https://vk.com/wall-1_{number}", f"жалоба {number}")
            return await service.detect(post)

    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def flood(args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        engine, sessions = await _database(tmp)
        server = LimitedTelegram()
        server.latency = args.latency
        await server.start()
        bot = server.bot()
        service = IncidentService(sessions, SystemClock(), Policy(), OFFICE)
        sender = _sender(sessions, server, bot)
        stop = asyncio.Event()
        running = asyncio.create_task(sender.run(stop))
        try:
            started = time.monotonic()
            detected = await burst(service, args.incidents, args.intake_concurrency)
            intake = time.monotonic() - started
            ids = {d.incident.id for d in detected}
            await server.wait_until(
                lambda: ids <= set(_visible(server, started)), timeout=args.incidents * 3 + 60
            )
            seen = _visible(server, started)
        finally:
            stop.set()
            await running
            await bot.session.close()
            await server.close()
            await engine.dispose()
    times = sorted(seen[i] for i in ids)
    sends = [
        c for c in server.calls_of("sendMessage") if c.chat_id == CENTRE_CHAT and c.outcome == "ok"
    ]
    within = sum(1 for t in times if t <= 60)
    print(f"flood: {args.incidents} incidents detected at once (intake took {intake:.1f} s)")
    print(
        f"  visible to the curators: median {times[len(times) // 2]:.1f} s, last {times[-1]:.1f} s"
    )
    print(f"  within 60 s: {within}/{len(times)} (goal: all)")
    print(
        f"  messages it took in the curators' group: {len(sends)} "
        f"(not {2 * args.incidents}); 429 answers: {server.refused}"
    )
    return within == len(times)


async def press(args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        engine, sessions = await _database(tmp)
        server = LimitedTelegram()
        server.latency = args.latency
        await server.start()
        bot = server.bot()
        service = IncidentService(sessions, SystemClock(), Policy(), OFFICE)
        incident = (
            await service.detect(Post(Source.VK, "https://vk.com/wall-1_1", "яма"))
        ).incident
        sender = _sender(sessions, server, bot)
        async with asyncio.timeout(30):
            await sender.drain()  # the card is in the group
        await add_rows(sessions, [(CENTRE_CHAT, f"n{n:03d}") for n in range(args.waiting)])
        sender = _sender(sessions, server, bot)
        stop = asyncio.Event()
        running = asyncio.create_task(sender.run(stop))
        try:
            # Let the queue drain into the group for a while: its window fills up.
            await server.wait_until(lambda: len(server.calls_of("sendMessage")) >= 12, timeout=120)
            pressed = time.monotonic()
            async with UnitOfWork(sessions) as uow:  # what the press's step writes
                await OutboxWriter("ru").cards(
                    uow, incident, SystemClock().now(), reply_chat=CENTRE_CHAT
                )
            [edit] = await server.wait_for(
                lambda c: c.method == "editMessageText" and c.outcome == "ok", timeout=120
            )
            waited = edit.at - pressed
            async with sessions() as session:
                pending = await session.scalar(
                    sa.select(sa.func.count()).where(OutboxRow.state == "pending")
                )
        finally:
            stop.set()
            await running
            await bot.session.close()
            await server.close()
            await engine.dispose()
    print(
        f"press: card edited {waited:.2f} s after the press, with {pending} rows still "
        f"waiting for the chat (goal: within 2 s); 429 answers: {server.refused}"
    )
    return waited <= 2.0


async def main_async(args: argparse.Namespace) -> int:
    ok = await flood(args)
    ok = await press(args) and ok
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--waiting", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--intake-concurrency", type=int, default=4)
    sys.exit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
