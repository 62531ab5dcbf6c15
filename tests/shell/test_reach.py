"""Start-up checks in process: Telegram's backoff, the refused token, the database probe."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from aiogram import Bot

from bot.startup import StartupError, open_database, reach_telegram
from tests.support.fake_telegram import BOT_USERNAME, FakeTelegram


class _Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_telegram_errors_are_retried_with_doubling_delays_and_one_warning(
    fake_telegram: FakeTelegram, fake_bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    fake_telegram.fail_next(3, "server_error", methods=["getMe"])
    fake_telegram.fail_next(2, "bad_gateway", methods=["getMe"])
    fake_telegram.fail_next(1, "drop", methods=["getMe"])
    sleeps = _Sleeps()
    with caplog.at_level(logging.INFO, logger="bot.startup"):
        me = await reach_telegram(
            fake_bot, fake_telegram.url, first_delay=1, max_delay=8, sleep=sleeps
        )
    assert me.username == BOT_USERNAME
    assert sleeps.waits == [1, 2, 4, 8, 8, 8]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "not reachable" in warnings[0].getMessage()
    assert "after 7 attempts" in caplog.text


async def test_retry_after_is_waited_as_telegram_asks(
    fake_telegram: FakeTelegram, fake_bot: Bot
) -> None:
    fake_telegram.fail_next(1, "retry_after", retry_after=7, methods=["getMe"])
    sleeps = _Sleeps()
    await reach_telegram(fake_bot, fake_telegram.url, sleep=sleeps)
    assert sleeps.waits == [7]


async def test_refused_token_is_a_startup_error_without_retrying() -> None:
    async with FakeTelegram(token="1:not-this-one-xxxxxxxxxxxxxxxxxx") as fake:
        bot = fake.bot()
        sleeps = _Sleeps()
        try:
            with pytest.raises(StartupError, match=r"refused the bot token .*BOT_TOKEN"):
                await reach_telegram(bot, fake.url, sleep=sleeps)
        finally:
            await bot.session.close()
    assert sleeps.waits == []


async def test_sqlite_folder_that_cannot_be_made_names_database_url(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    url = f"sqlite+aiosqlite:///{blocker / 'sub' / 'bot.sqlite3'}"
    with pytest.raises(StartupError, match=r"^cannot connect to the database at DATABASE_URL="):
        await open_database(url)


async def test_reachable_database_is_opened(tmp_path: Path) -> None:
    engine = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'ok.sqlite3'}")
    await engine.dispose()
    assert (tmp_path / "ok.sqlite3").exists()
