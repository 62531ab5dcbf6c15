"""A hostile start: the database or Telegram not answering, a refused token, `--help`.

The bot runs as `python -m bot` in a child process, as an operator would start it; Telegram
is the fake Bot API server (tests/support/fake_telegram).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings
from tests.support.fake_telegram import TOKEN, FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "s3cret-pw"


def _free_port() -> int:
    """A port nothing listens on (connections to it are refused until someone binds it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    names = set(Settings.env_names())
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    env.update(
        {
            "BOT_TOKEN": TOKEN,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": str(ROOT),
            **extra,
        }
    )
    return env


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _lines_with(text: str, fragment: str) -> list[str]:
    return [line for line in text.splitlines() if fragment in line]


def test_unreachable_database_exits_2_with_one_line_naming_database_url(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://bot:{PASSWORD}@127.0.0.1:{_free_port()}/incidents"
    # Telegram is not reached at all: the database is checked first.
    result = _run(
        tmp_path, "run", DATABASE_URL=url, BOT_API_BASE=f"http://127.0.0.1:{_free_port()}"
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = _lines_with(result.stderr, "DATABASE_URL")
    assert len(lines) == 1, result.stderr
    assert "cannot connect to the database" in lines[0] and "127.0.0.1" in lines[0]
    assert PASSWORD not in result.stderr


async def test_token_refused_by_telegram_exits_2_with_one_line(tmp_path: Path) -> None:
    async with FakeTelegram(token="123456:another-bots-token-xxxxxxxxxx") as fake:
        result = await asyncio.to_thread(_run, tmp_path, "run", BOT_API_BASE=fake.url)
        assert fake.calls_of("getMe") and fake.calls[-1].outcome == "error 401"
        assert not fake.calls_of("getUpdates")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = _lines_with(result.stderr, "token")
    assert lines == [
        "Telegram refused the bot token (401 Unauthorized): check BOT_TOKEN in .env "
        "or the environment; @BotFather (/token) shows the current one"
    ]


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


async def _wait_for_text(path: Path, fragment: str, process: subprocess.Popen[bytes]) -> None:
    """The child's log, re-read as it grows, until `fragment` appears (or the child exits)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while fragment not in _read(path):
        assert process.poll() is None, _read(path)
        assert loop.time() < deadline, _read(path)
        await asyncio.sleep(0.05)


async def test_telegram_down_at_start_then_up_the_bot_comes_up(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "bot.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: ASYNC220 - started once, then watched
            [sys.executable, "-m", "bot", "run"],
            cwd=tmp_path,
            env=_env(tmp_path, BOT_API_BASE=f"http://127.0.0.1:{port}"),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    fake = FakeTelegram()
    try:
        await _wait_for_text(log, "Telegram is not reachable", process)
        await fake.start(port)  # Telegram comes back where the bot keeps asking
        await fake.wait_until(lambda: bool(fake.calls_of("getUpdates")), timeout=60)
        assert process.poll() is None
        assert fake.calls_of("getMe")[0].outcome == "ok"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            await asyncio.to_thread(process.wait, 30)
        await fake.close()
    output_text = _read(log)
    assert process.returncode == 0, output_text
    assert "Traceback" not in output_text
    assert len(_lines_with(output_text, "not reachable")) == 1, output_text
    assert _lines_with(output_text, "Telegram answered after")


def test_help_describes_every_command_and_mentions_env(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert ".env" in text and "BOT_TOKEN" in text and "DATABASE_URL" in text
    for command, words in {
        "run": "start the bot",
        "migrate": "database schema",
        "directory": "directory import FILE",
    }.items():
        described = [line for line in text.splitlines() if line.strip().startswith(command)]
        assert described, (command, text)
        assert words in " ".join(text.split()), (command, text)
    assert "directory export [FILE]" in " ".join(text.split())


def test_aiogram_logs_no_line_per_update_unless_debugging() -> None:
    import logging

    from bot.logs import configure_logging

    event_log = logging.getLogger("aiogram.event")
    try:
        configure_logging("INFO")
        assert not event_log.isEnabledFor(logging.INFO)
        assert event_log.isEnabledFor(logging.WARNING)
        event_log.setLevel(logging.NOTSET)
        configure_logging("DEBUG")
        assert event_log.level == logging.NOTSET  # as the root logger says
    finally:
        event_log.setLevel(logging.NOTSET)
