"""The outbox sender's failures: unreachable chats, rejected messages, unexpected errors, their
classification."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.outbox import (
    DELIVERY_FAILED_KEY,
    DeliveryFailure,
    OutboxSender,
    Rendered,
    SenderOptions,
    Verdict,
    classify,
    notify_admins,
)
from bot.services.outbox_writer import OutboxWriter
from db.directory_cache import directory_changed
from db.models import OutboxRow, Person, PersonRole
from db.uow import UnitOfWork
from tests.delivery.sender_helpers import FAST, drain, sqlite_only
from tests.support.fake_telegram import FakeTelegram
from tests.support.outbox_helpers import (
    NOW,
    PlainRenderer,
    add_rows,
    delivered_keys,
    outbox_rows,
)
from workflow.roles import Role


async def test_unreachable_chats_fail_alone_and_the_admins_are_told(
    factory: async_sessionmaker[AsyncSession],
    fake_telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_telegram.chat_not_found.add(11)
    fake_telegram.blocked.add(12)
    await add_rows(factory, [(chat, f"c{chat}-{n}") for n in range(3) for chat in (11, 12, 13)])
    await _add_admins(factory, [99, 11])  # 11 is itself unreachable: not told about itself
    failures: list[DeliveryFailure] = []
    tell_admins = notify_admins(OutboxWriter("ru"), clock=ManualClock(NOW))

    async def on_failure(uow: UnitOfWork, failure: DeliveryFailure) -> None:
        failures.append(failure)
        await tell_admins(uow, failure)

    with caplog.at_level(logging.WARNING, logger="bot.outbox.sender"):
        await drain(factory, fake_telegram, on_permanent_failure=on_failure)

    assert delivered_keys(fake_telegram, 13) == ["c13-0", "c13-1", "c13-2"]
    # The notice about chat 12 to chat 11 failed too; that one is reported to nobody.
    about_rows = [f for f in failures if f.key != DELIVERY_FAILED_KEY]
    assert sorted(f.chat_id for f in about_rows) == [11, 12]
    assert all(f.chat_unreachable and len(f.row_ids) == 3 for f in about_rows)
    rows = await outbox_rows(factory)
    for row in rows:
        if row.chat_id in (11, 12):
            assert row.state == "failed" and row.last_error
    tried = [r.key for r in rows if r.key.startswith("c11") and r.attempts]
    assert tried == ["c11-0"]  # one try, the rest skipped
    notices = [m.text or "" for m in fake_telegram.bot_messages(99)]
    assert len(notices) == 2 and all(t.startswith(DELIVERY_FAILED_KEY) for t in notices)
    assert any("chat not found" in t for t in notices) and any("blocked" in t for t in notices)
    assert sum("gave up" in r.message for r in caplog.records if r.levelno == logging.WARNING) == 3

    # Rows written later are tried again (the person may have unblocked the bot).
    fake_telegram.blocked.discard(12)
    await add_rows(factory, [(12, "again")])
    await drain(factory, fake_telegram)
    assert delivered_keys(fake_telegram, 12) == ["again"]


async def _add_admins(factory: async_sessionmaker[AsyncSession], chats: list[int]) -> None:
    """Administrators in the directory: the notices are addressed to the role."""
    async with factory() as session, session.begin():
        for chat_id in chats:
            session.add(
                Person(
                    key=f"admin{chat_id}",
                    telegram_id=chat_id,
                    full_name=f"Admin {chat_id}",
                    active=True,
                    roles=[PersonRole(role=Role.ADMIN)],
                )
            )
        directory_changed(session)  # written past the repository: drop any cached snapshot


@sqlite_only
async def test_a_rejected_message_fails_alone(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    await add_rows(factory, [(5, "ok1"), (5, "bad", {"text": "<b>unclosed"}), (5, "ok2")])
    failures: list[DeliveryFailure] = []

    async def on_failure(_uow: UnitOfWork, failure: DeliveryFailure) -> None:
        failures.append(failure)

    await drain(factory, fake_telegram, on_permanent_failure=on_failure)
    assert delivered_keys(fake_telegram, 5) == ["ok1", "ok2"]
    assert [(f.key, f.chat_unreachable, len(f.row_ids)) for f in failures] == [("bad", False, 1)]
    states = [(r.key, r.state) for r in await outbox_rows(factory)]
    assert states == [("ok1", "sent"), ("bad", "failed"), ("ok2", "sent")]


class _FlakyRenderer(PlainRenderer):
    async def __call__(self, session: AsyncSession, row: OutboxRow) -> Rendered:
        if row.key == "boom":
            raise RuntimeError("renderer bug")
        return await super().__call__(session, row)


@sqlite_only
async def test_an_unexpected_error_gives_up_after_a_few_attempts(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    await add_rows(factory, [(5, "boom"), (5, "fine")])
    options = SenderOptions(backoff_base=0.01, backoff_max=0.02, max_unexpected_attempts=3)
    bot = fake_telegram.bot()
    try:
        sender = OutboxSender(factory, bot, _FlakyRenderer(), FAST, options=options)
        async with asyncio.timeout(10):
            await sender.drain()
    finally:
        await bot.session.close()
    rows = await outbox_rows(factory)
    assert (rows[0].state, rows[0].attempts) == ("failed", 3)
    assert "renderer bug" in (rows[0].last_error or "")
    assert delivered_keys(fake_telegram, 5) == ["fine"]


def _method() -> SendMessage:
    return SendMessage(chat_id=1, text="x")


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (TelegramRetryAfter(_method(), "Too Many Requests", 3), Verdict.RETRY_AFTER),
        (TelegramBadRequest(_method(), "Bad Request: chat not found"), Verdict.CHAT),
        (TelegramForbiddenError(_method(), "Forbidden: bot was kicked"), Verdict.CHAT),
        (TelegramMigrateToChat(_method(), "migrated", -1001), Verdict.CHAT),
        (TelegramBadRequest(_method(), "Bad Request: can't parse entities"), Verdict.ROW),
        (TelegramEntityTooLarge(_method(), "Request Entity Too Large"), Verdict.ROW),
        (TelegramServerError(_method(), "Internal Server Error"), Verdict.TRANSIENT),
        (TelegramNetworkError(_method(), "ServerDisconnectedError"), Verdict.TRANSIENT),
        (ClientDecodeError("Failed to decode object", ValueError(), "<html>"), Verdict.TRANSIENT),
        (TimeoutError(), Verdict.TRANSIENT),
        (RuntimeError("bug"), Verdict.UNEXPECTED),
    ],
)
def test_errors_are_classified(error: BaseException, verdict: Verdict) -> None:
    assert classify(error) is verdict
