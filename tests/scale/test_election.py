"""The outbox sender is elected: one process at a time holds the PostgreSQL advisory lock and
sends; another takes over within the election interval when it stops or its connection dies.
On SQLite the one process always sends."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.outbox import OutboxSender, SenderOptions
from bot.outbox.election import SENDER_LOCK, run_elected
from db.engine import create_engine, create_session_factory
from tests.support.outbox_helpers import PlainRenderer, add_rows, delivered_keys

INTERVAL = 0.1


class Candidate:
    """A process's side of the election: its sender only records when it ran."""

    def __init__(self, name: str, log: list[tuple[str, str]]) -> None:
        self.name = name
        self.log = log
        self.active = False
        self.terms = 0
        self.stop = asyncio.Event()

    async def send(self, until: asyncio.Event) -> None:
        self.log.append((self.name, "start"))
        self.active = True
        self.terms += 1
        try:
            await until.wait()
        finally:
            self.active = False
            self.log.append((self.name, "end"))


def _never_two_at_once(log: list[tuple[str, str]]) -> None:
    active: set[str] = set()
    for name, what in log:
        if what == "start":
            assert not active, f"{name} started while {active} sent: {log}"
            active.add(name)
        else:
            active.discard(name)


async def _until(condition, timeout: float = 10) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - the candidates' flags are what is polled
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("database_kind", [pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_one_sender_at_a_time_and_a_takeover_when_the_holder_dies(database_url) -> None:
    engines = [create_engine(database_url) for _ in range(3)]
    log: list[tuple[str, str]] = []
    candidates = [Candidate(name, log) for name in ("a", "b", "c")]
    tasks = [
        asyncio.create_task(run_elected(engine, c.send, c.stop, interval=INTERVAL))
        for engine, c in zip(engines, candidates, strict=True)
    ]
    try:
        await _until(lambda: any(c.active for c in candidates))
        await asyncio.sleep(INTERVAL * 5)  # the others keep trying meanwhile
        [first] = [c for c in candidates if c.active]

        # The holder's connection dies (as when its process is killed): it stops sending,
        # and another takes over.
        async with engines[0].connect() as admin:
            await admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks"
                    " WHERE locktype = 'advisory' AND granted"
                    " AND (classid::bigint << 32 | objid::bigint) = :key"
                ),
                {"key": SENDER_LOCK},
            )
        await _until(lambda: not first.active)
        await _until(lambda: sum(c.active for c in candidates) == 1)
        [second] = [c for c in candidates if c.active]

        # A holder that stops lets go of the lock at once: the next one follows.
        second.stop.set()
        await _until(lambda: any(c.active for c in candidates if c is not second))
        assert (
            tasks[candidates.index(second)].done() or await tasks[candidates.index(second)] is None
        )
    finally:
        for candidate in candidates:
            candidate.stop.set()
        await asyncio.gather(*tasks)
        for engine in engines:
            await engine.dispose()
    _never_two_at_once(log)
    assert sum(c.terms for c in candidates) >= 3


@pytest.mark.parametrize("database_kind", ["sqlite"])
async def test_on_sqlite_the_one_process_always_sends(database_url) -> None:
    engine = create_engine(database_url)
    log: list[tuple[str, str]] = []
    candidate = Candidate("only", log)
    changes: list[bool] = []
    task = asyncio.create_task(
        run_elected(engine, candidate.send, candidate.stop, interval=60, on_change=changes.append)
    )
    await _until(lambda: candidate.active, timeout=1)
    candidate.stop.set()
    await task
    await engine.dispose()
    assert log == [("only", "start"), ("only", "end")]
    assert changes == [True, False]


@pytest.mark.parametrize("database_kind", ["sqlite"])
async def test_a_sender_elected_again_sends_again(database_url, fake_telegram) -> None:
    """The process keeps one sender (and its memory of the limits) across its terms."""
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    bot = fake_telegram.bot()
    sender = OutboxSender(sessions, bot, PlainRenderer(), options=SenderOptions(poll_interval=0.05))
    try:
        for term in range(2):
            await add_rows(sessions, [(7, f"term{term}")])
            until = asyncio.Event()
            running = asyncio.create_task(sender.run(until))
            await fake_telegram.wait_until(lambda t=term: len(fake_telegram.bot_messages(7)) > t)
            until.set()
            await running
    finally:
        await bot.session.close()
        await engine.dispose()
    assert delivered_keys(fake_telegram, 7) == ["term0", "term1"]
