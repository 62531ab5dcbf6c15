"""The outbox sender alone in a process, for the kill -9 test (and by hand).

    DATABASE_URL=… BOT_API_BASE=http://127.0.0.1:PORT BOT_TOKEN=… \\
    OUTBOX_LIMITS='{"overall": [40, 1.0], "per_group": [20, 1.0], "per_chat": [1, 0.05]}' \\
    OUTBOX_MAX_IN_FLIGHT=1 python -m tests.support.outbox_child

Renders with the tests' PlainRenderer; stops cleanly on SIGTERM (SIGKILL is the point).

`--fork-server`: importing aiogram takes seconds, so the test starts this once as a fork
server instead. It reads commands on stdin and answers one line on stdout each:
`go {"DATABASE_URL": …}` forks a sender with that environment and answers its pid;
`wait <pid>` answers the exit code once that sender has ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import traceback

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.outbox import SenderLimits, SenderOptions, Window, run_sender
from db.engine import create_engine, create_session_factory
from tests.support.outbox_helpers import PlainRenderer


def limits_from_env() -> SenderLimits:
    given = json.loads(os.environ.get("OUTBOX_LIMITS", "{}"))
    windows = {
        name: Window(*given[name]) for name in ("overall", "per_group", "per_chat") if name in given
    }
    return SenderLimits(**windows, margin=float(given.get("margin", 0.02)))


async def _orphaned(parent: int, stop: asyncio.Event) -> None:
    """Stop when the process that started us is gone (a crashed test leaves no sender)."""
    while os.getppid() == parent:  # noqa: ASYNC110 - nothing to wait on but polling
        await asyncio.sleep(0.5)
    stop.set()


async def main() -> None:
    engine = create_engine(os.environ["DATABASE_URL"])
    bot = Bot(
        os.environ["BOT_TOKEN"],
        session=AiohttpSession(api=TelegramAPIServer.from_base(os.environ["BOT_API_BASE"])),
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    watchdog = asyncio.create_task(_orphaned(os.getppid(), stop))
    options = SenderOptions(
        poll_interval=0.2,
        backoff_base=0.05,
        backoff_max=0.5,
        max_in_flight=int(os.environ.get("OUTBOX_MAX_IN_FLIGHT", "4")),
    )
    try:
        await run_sender(
            create_session_factory(engine),
            bot,
            PlainRenderer(),
            limits_from_env(),
            stop,
            options=options,
        )
    finally:
        watchdog.cancel()
        await bot.session.close()
        await engine.dispose()


def _run_forked(environment: dict[str, str]) -> None:
    code = 1
    try:
        os.environ.update(environment)
        asyncio.run(main())
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def serve_forks() -> None:
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "go":
            pid = os.fork()
            if pid == 0:
                _run_forked(json.loads(argument))
            print(pid, flush=True)
        elif command == "wait":
            _, status = os.waitpid(int(argument), 0)
            print(os.waitstatus_to_exitcode(status), flush=True)
        else:
            print(f"unknown command {command!r}", flush=True)


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))
    if sys.argv[1:] == ["--fork-server"]:
        with contextlib.suppress(KeyboardInterrupt):
            serve_forks()
    else:
        asyncio.run(main())
