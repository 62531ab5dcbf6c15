"""Webhook mode: WEBHOOK_URL makes the bot set the webhook at start and take the updates that
Telegram POSTs to the intake's server, with the secret token checked; polling otherwise."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.settings import Settings, SettingsError, load_settings
from bot.wiring import dispatcher_storage
from tests.support.bot_process import BotProcess
from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.fake_telegram.webhook import SECRET_HEADER

SECRET = "webhook-secret_0123456789"
PERSON = 777001


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    for name in Settings.env_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    yield tmp_path


@pytest.fixture
def bots(tmp_path: Path) -> Iterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for bot in started:
        bot.close()


def _bot(fake: FakeTelegram, tmp: Path, bots: list[BotProcess], **extra: str) -> BotProcess:
    variables = {
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE": fake.url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'bot.sqlite3'}",
        "CALENDAR_MODE": "always",
        "OUTBOX_POLL_SECONDS": "0.2",
        **extra,
    }
    bot = BotProcess("bot", tmp / "bot", variables)
    bots.append(bot)
    bot.start()
    return bot


async def test_webhook_url_sets_the_webhook_and_posted_updates_are_handled(
    fake_telegram: FakeTelegram, tmp_path: Path, bots: list[BotProcess]
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    bot = _bot(fake_telegram, tmp_path, bots, INTAKE_PORT=str(port), WEBHOOK_URL=url,
               WEBHOOK_SECRET=SECRET)  # fmt: skip
    await bot.until(lambda: fake_telegram.calls_of("setWebhook"))
    [set_webhook] = await fake_telegram.wait_for(lambda c: c.method == "setWebhook")
    assert set_webhook.outcome == "ok"
    assert set_webhook.params["url"] == url
    assert set_webhook.params["secret_token"] == SECRET
    assert "callback_query" in set_webhook.params["allowed_updates"]

    fake_telegram.user_message(PERSON, "/start")
    await bot.until(
        lambda: fake_telegram.bot_messages(PERSON) and fake_telegram.webhook_deliveries, 20
    )
    assert [d.outcome for d in fake_telegram.webhook_deliveries] == ["200"]

    # Without the secret, or with a wrong one, nothing is handled.
    update = {"update_id": 99, "message": {"message_id": 5, "date": 0, "text": "/start",
              "chat": {"id": PERSON, "type": "private"}, "from": {"id": PERSON,
              "is_bot": False, "first_name": "X"}}}  # fmt: skip
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "wrong-secret-0123456789"}):
            async with http.post(url, json=update, headers=headers) as answer:
                assert answer.status == 401
        async with http.get(f"http://127.0.0.1:{port}/healthz") as answer:
            assert answer.status == 200  # the same server serves the probes
    assert len(fake_telegram.bot_messages(PERSON)) == 1

    assert await bot.terminate() == 0
    assert not fake_telegram.calls_of("getUpdates")
    # The webhook stays: other processes (or this one, restarted) serve it.
    assert not fake_telegram.calls_of("deleteWebhook")
    assert fake_telegram.webhook_url == url


async def test_polling_stays_the_default_and_removes_a_left_webhook(
    fake_telegram: FakeTelegram, tmp_path: Path, bots: list[BotProcess]
) -> None:
    await fake_telegram._set_webhook({"url": "https://old.example.ru/hook"})
    bot = _bot(fake_telegram, tmp_path, bots)
    await bot.until(lambda: [c for c in fake_telegram.calls_of("getUpdates") if c.outcome == "ok"])
    assert fake_telegram.webhook_url is None
    assert not fake_telegram.calls_of("setWebhook")
    fake_telegram.user_message(PERSON, "/start")
    await bot.until(lambda: fake_telegram.bot_messages(PERSON), 20)
    assert await bot.terminate() == 0


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"webhook_url": "https://bot.example.ru"}, "WEBHOOK_URL: needs a path of its own"),
        ({"webhook_url": "https://bot.example.ru/api/v1/x"}, "WEBHOOK_URL: needs a path"),
        ({"webhook_url": "ftp://bot.example.ru/hook"}, "WEBHOOK_URL: must be an https://"),
        ({"webhook_secret": "short"}, "WEBHOOK_SECRET: must be 16-256 characters"),
        ({"webhook_secret": "with spaces in it 0123"}, "WEBHOOK_SECRET: must be 16-256"),
        ({"redis_url": "localhost:6379"}, "REDIS_URL: must start with redis://"),
        ({"log_format": "xml"}, "LOG_FORMAT: must be text or json"),
    ],
)
def test_bad_server_settings_are_named(isolated: Path, variables, message) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(**variables)


def test_redis_needs_postgresql(isolated: Path) -> None:
    settings = load_settings(redis_url="redis://127.0.0.1:6379/0")
    with pytest.raises(SettingsError, match="REDIS_URL is for several processes"):
        dispatcher_storage(settings)
