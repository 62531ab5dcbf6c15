"""One outbox sender among several processes: elected through a PostgreSQL advisory lock.

Telegram's limits are per bot, and the sender keeps them in memory (limits.py); two senders
would each use the whole allowance. So on PostgreSQL only the process that holds the
session-level advisory lock `SENDER_LOCK` sends. It holds the lock on a connection of its
own, checked every `interval` seconds, for as long as it sends; the others try for it every
`interval` seconds. When the holder dies, PostgreSQL drops its connection and the lock with
it (at once for a killed process, within the keepalive time for a machine that vanished), and
another process sends within three `interval`s, from the rows where the first stopped: every
row is marked sent in its own transaction (sender.py), so nothing is sent twice but a request
that may have been on the way at the kill.

A holder checks its connection every `interval`, each check bounded by `interval`: one that
loses it (its database restarted, a network split) stops sending within two `interval`s and
stands for election again. The lock may be free sooner than that (the server saw the
connection end), so a new holder waits two `interval`s before it sends: two senders never
overlap, and so never share Telegram's limits.
On SQLite there is one process, which always sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# An arbitrary 64-bit key that names "the outbox sender" among the database's advisory locks.
SENDER_LOCK = 0x1BC1_D0_5E_4D  # "incident bot: sender"
# The server notices a vanished client (no FIN: the machine or its network is gone) after
# idle + interval * count seconds and releases the lock.
_KEEPALIVE = {"tcp_keepalives_idle": 5, "tcp_keepalives_interval": 2, "tcp_keepalives_count": 3}

RunSender = Callable[[asyncio.Event], Awaitable[None]]
OnChange = Callable[[bool], None]


async def run_elected(
    engine: AsyncEngine,
    run_sender: RunSender,
    stop: asyncio.Event,
    *,
    interval: float = 2.0,
    on_change: OnChange | None = None,
) -> None:
    """Run `run_sender(until)` while this process holds the lock, until `stop` is set.

    `run_sender` must return soon after `until` is set (OutboxSender.run does); it is called
    afresh after every new election won.
    """
    if engine.dialect.name != "postgresql":
        _changed(on_change, True)
        try:
            await run_sender(stop)
        finally:
            _changed(on_change, False)
        return
    while not stop.is_set():
        try:
            await _one_term(engine, run_sender, stop, interval, on_change)
        except Exception:
            log.warning("outbox election: the database connection failed; trying again")
        await _wait(stop, interval)


async def _one_term(
    engine: AsyncEngine,
    run_sender: RunSender,
    stop: asyncio.Event,
    interval: float,
    on_change: OnChange | None,
) -> None:
    """Try for the lock once; when won, send until stopped or the connection is lost."""
    async with engine.connect() as connection:
        for name, value in _KEEPALIVE.items():
            await connection.execute(text(f"SET {name} = {value}"))
        won = await connection.scalar(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": SENDER_LOCK}
        )
        await connection.commit()  # hold no transaction open while holding the lock
        if not won:
            return
        # Let a holder that lost its connection notice it and stop (see above).
        await _wait(stop, 2 * interval)
        if stop.is_set():
            await _unlock(connection)
            return
        await _check(connection, interval)
        log.info("outbox: this process is the sender now")
        _changed(on_change, True)
        until = asyncio.Event()
        watch = asyncio.create_task(_hold(connection, stop, until, interval))
        try:
            await run_sender(until)
        finally:
            until.set()
            _changed(on_change, False)
            lost = await watch
        if not lost:
            await _unlock(connection)
            log.info("outbox: this process no longer sends")


async def _unlock(connection: AsyncConnection) -> None:
    with contextlib.suppress(Exception):
        await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SENDER_LOCK})
        await connection.commit()


async def _check(connection: AsyncConnection, timeout: float) -> None:  # noqa: ASYNC109
    """Raises unless the connection answers within `timeout` seconds."""
    async with asyncio.timeout(timeout):
        await connection.execute(text("SELECT 1"))
        await connection.commit()


async def _hold(
    connection: AsyncConnection, stop: asyncio.Event, until: asyncio.Event, interval: float
) -> bool:
    """Check the lock's connection until told to end; True when it was lost."""
    try:
        while not until.is_set():
            if stop.is_set():
                return False
            await _wait_any((stop, until), interval)
            if until.is_set() or stop.is_set():
                return False
            try:
                await _check(connection, interval)
            except Exception:
                log.warning("outbox: lost the sender lock's connection; stopping the sender")
                return True
        return False
    finally:
        until.set()


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


async def _wait_any(events: tuple[asyncio.Event, ...], seconds: float) -> None:
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def _changed(on_change: OnChange | None, active: bool) -> None:
    if on_change is not None:
        on_change(active)
