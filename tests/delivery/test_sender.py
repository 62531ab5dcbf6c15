"""The outbox sender against the fake Bot API server, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
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
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.outbox import (
    DELIVERY_FAILED_KEY,
    DeliveryFailure,
    OutboxSender,
    Rendered,
    Renderer,
    SenderLimits,
    SenderOptions,
    Verdict,
    Window,
    classify,
    notify_admins,
)
from bot.services.outbox_writer import OutboxWriter
from db.engine import create_engine, create_session_factory
from db.models import IncidentCard, OutboxRow, Person, PersonRole
from db.outbox_repository import OutboxRepository
from db.uow import UnitOfWork
from tests.support.fake_telegram import FakeTelegram, limit_violations
from tests.support.outbox_helpers import (
    NOW,
    PlainRenderer,
    add_incident,
    add_rows,
    delivered_keys,
    duplicates,
    in_order,
    outbox_rows,
)
from workflow.roles import Role

# Faster than Telegram's, to keep the tests short; what is checked is that they hold.
FAST = SenderLimits(
    overall=Window(50, 1.0), per_group=Window(5, 1.5), per_chat=Window(1, 0.1), margin=0.05
)
OPTIONS = SenderOptions(poll_interval=0.2, backoff_base=0.05, backoff_max=0.4)
# Requests are timed on arrival here, the sender times them on departure: allow some jitter
# on a loaded machine (on top of the sender's own margin).
SLACK = 0.05

sqlite_only = pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)


@pytest.fixture
def factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@asynccontextmanager
async def running_sender(
    factory: async_sessionmaker[AsyncSession],
    server: FakeTelegram,
    *,
    limits: SenderLimits = FAST,
    options: SenderOptions = OPTIONS,
    renderer: Renderer | None = None,
    **kwargs: object,
) -> AsyncIterator[OutboxSender]:
    bot = server.bot()
    sender = OutboxSender(
        factory,
        bot,
        renderer or PlainRenderer(),
        limits,
        options=options,
        **kwargs,  # type: ignore[arg-type]
    )
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        yield sender
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await bot.session.close()


async def wait_settled(factory: async_sessionmaker[AsyncSession], seconds: float = 30.0) -> None:
    """Until no row is pending."""
    async with asyncio.timeout(seconds):
        while True:
            async with factory() as session:
                pending = await session.scalar(
                    sa.select(sa.func.count()).where(OutboxRow.state == "pending")
                )
            if not pending:
                return
            await asyncio.sleep(0.05)


async def drain(
    factory: async_sessionmaker[AsyncSession],
    server: FakeTelegram,
    *,
    renderer: Renderer | None = None,
    **kwargs: object,
) -> None:
    bot = server.bot()
    try:
        sender = OutboxSender(
            factory,
            bot,
            renderer or PlainRenderer(),
            FAST,
            options=OPTIONS,
            **kwargs,  # type: ignore[arg-type]
        )
        async with asyncio.timeout(20):
            await sender.drain()
    finally:
        await bot.session.close()


def assert_retry_after_honoured(server: FakeTelegram) -> None:
    for index, call in enumerate(server.calls):
        if call.outcome != "retry_after":
            continue
        retry_after = call.retry_after or 0
        following = [c for c in server.calls[index + 1 :] if c.chat_id == call.chat_id]
        if following:
            assert following[0].at >= call.at + retry_after - SLACK, (call, following[0])


# --- delivery under faults ---------------------------------------------------------------------


async def test_faults_lose_nothing_double_nothing_and_keep_the_limits(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    private = [1001, 1002, 1003, 1004, 1005, 1006]
    groups = [-2001, -2002, -2003]
    expected: dict[int, list[str]] = {}
    rows = []
    for number in range(20):  # interleaved, as the workflow writes them
        for chat_id in private + (groups if number < 10 else []):
            key = f"c{chat_id}-{number:02d}"
            expected.setdefault(chat_id, []).append(key)
            rows.append((chat_id, key))
    await add_rows(factory, rows)
    fake_telegram.fail_share(0.06, "retry_after", retry_after=1)
    fake_telegram.fail_share(0.06, "server_error")
    fake_telegram.fail_share(0.04, "bad_gateway")
    fake_telegram.fail_share(0.06, "drop")

    async with running_sender(factory, fake_telegram):
        await wait_settled(factory, seconds=45)

    outcomes = {c.outcome for c in fake_telegram.calls_of("sendMessage")}
    assert {"retry_after", "server_error", "bad_gateway", "drop", "ok"} <= outcomes
    for chat_id, keys in expected.items():
        assert delivered_keys(fake_telegram, chat_id) == keys, chat_id  # all, once, in order
    assert all(row.state == "sent" for row in await outbox_rows(factory))
    assert limit_violations(fake_telegram.calls, FAST, slack=SLACK) == []
    assert_retry_after_honoured(fake_telegram)


@sqlite_only
async def test_the_real_per_chat_limit(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    await add_rows(factory, [(77, f"m{n}") for n in range(4)])
    async with running_sender(factory, fake_telegram, limits=SenderLimits()):
        await wait_settled(factory)
    calls = fake_telegram.calls_of("sendMessage")
    assert len(calls) == 4
    assert all(b.at - a.at >= 1.0 - SLACK for a, b in itertools.pairwise(calls))
    assert limit_violations(fake_telegram.calls, SenderLimits(), slack=SLACK) == []


@sqlite_only
async def test_retry_after_holds_only_its_chat(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    await add_rows(factory, [(1, "a0"), (1, "a1"), *[(2, f"b{n}") for n in range(5)]])
    fake_telegram.fail_next(1, "retry_after", retry_after=2, chat_id=1)
    async with running_sender(factory, fake_telegram):
        await wait_settled(factory)
    throttled = next(c for c in fake_telegram.calls if c.outcome == "retry_after")
    retry = next(c for c in fake_telegram.calls if c.chat_id == 1 and c.outcome == "ok")
    assert retry.at >= throttled.at + 2 - SLACK
    chat_2 = [c for c in fake_telegram.calls if c.chat_id == 2]
    assert len(chat_2) == 5 and chat_2[-1].at < retry.at  # chat 2 did not wait for chat 1
    assert delivered_keys(fake_telegram, 1) == ["a0", "a1"]
    rows = await outbox_rows(factory)
    assert rows[0].attempts == 2 and "retry after" in (rows[0].last_error or "")


async def test_a_lost_answer_is_the_only_duplicate(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    """The request went through but the answer never came: retried, so it arrives twice."""
    await add_rows(factory, [(5, f"m{n}") for n in range(4)])
    fake_telegram.fail_next(1, "lost_answer")
    await drain(factory, fake_telegram)
    assert delivered_keys(fake_telegram, 5) == ["m0", "m0", "m1", "m2", "m3"]
    assert duplicates(fake_telegram, [5]) == {"m0": 2}


# --- cards ------------------------------------------------------------------------------------


async def _card_at(
    factory: async_sessionmaker[AsyncSession], incident_id: int, chat_id: int
) -> int | None:
    async with factory() as session:
        return await session.scalar(
            sa.select(IncidentCard.message_id).where(
                IncidentCard.incident_id == incident_id, IncidentCard.chat_id == chat_id
            )
        )


async def test_pending_card_edits_coalesce_into_one_request(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    async with factory() as session:
        incident = await add_incident(session)
        await session.commit()
    await add_rows(factory, [(-300, "card", {"v": 0})], kind="card", incident_id=incident)
    await drain(factory, fake_telegram)
    card = await _card_at(factory, incident, -300)
    assert card is not None
    assert [c.method for c in fake_telegram.calls] == ["sendMessage"]

    renderer = PlainRenderer()
    await add_rows(
        factory,
        [(-300, "card", {"v": v}) for v in range(1, 6)],
        kind="card",
        incident_id=incident,
    )
    await drain(factory, fake_telegram, renderer=renderer)
    assert [c.method for c in fake_telegram.calls] == ["sendMessage", "editMessageText"]
    assert renderer.calls == 1
    message = fake_telegram.message(-300, card)
    assert message.text == "card {'v': 5}"  # rendered from the newest row
    assert len(message.edits) == 1
    rows = await outbox_rows(factory)
    assert [r.state for r in rows] == ["sent"] * 6
    assert {r.telegram_message_id for r in rows} == {card}


async def test_a_card_that_changed_nothing_or_vanished(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    async with factory() as session:
        incident = await add_incident(session)
        await session.commit()
    params = {"v": 1, "buttons": [["Take", "take:1"]]}
    await add_rows(factory, [(8, "card", params)], kind="card", incident_id=incident)
    await drain(factory, fake_telegram)
    first = await _card_at(factory, incident, 8)
    assert first is not None
    assert [b.callback_data for b in fake_telegram.buttons(8, first)] == ["take:1"]

    # The same content again: Telegram answers "message is not modified", which is success.
    await add_rows(factory, [(8, "card", params)], kind="card", incident_id=incident)
    await drain(factory, fake_telegram)
    assert fake_telegram.calls[-1].outcome == "error 400"
    assert (await outbox_rows(factory))[-1].state == "sent"

    # Someone deleted the card: a new one is sent and recorded.
    fake_telegram.delete_by_user(8, first)
    await add_rows(factory, [(8, "card", {"v": 2})], kind="card", incident_id=incident)
    await drain(factory, fake_telegram)
    second = await _card_at(factory, incident, 8)
    assert second is not None and second != first
    assert fake_telegram.message(8, second).text == "card {'v': 2}"
    assert [r.state for r in await outbox_rows(factory)] == ["sent"] * 3


# --- permanent errors -------------------------------------------------------------------------


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


# --- media --------------------------------------------------------------------------------------


async def test_media_go_with_their_text(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    album = [["photo", "p1"], ["photo", "p2"], ["video", "v1"]]
    await add_rows(
        factory,
        [
            (6, "single", {"media": [["photo", "p0"]], "buttons": [["Ok", "ok"]]}),
            (6, "album", {"media": album}),
        ],
    )
    fake_telegram.fail_next(1, "server_error", methods=["sendMessage"])
    await drain(factory, fake_telegram)
    messages = fake_telegram.bot_messages(6)
    assert [(m.media_kind, m.file_id) for m in messages] == [
        ("photo", "p0"),
        ("photo", "p1"),
        ("photo", "p2"),
        ("video", "v1"),
        (None, None),
    ]
    assert messages[0].caption == "single {}" and messages[0].reply_markup is not None
    assert messages[-1].text == "album {}"
    # The text failed once after the album went out: the album was not sent again.
    assert len(fake_telegram.calls_of("sendMediaGroup")) == 1
    rows = await outbox_rows(factory)
    assert [r.telegram_message_id for r in rows] == [1, 5]


# --- timing ---------------------------------------------------------------------------------


@sqlite_only
async def test_not_before_delays_only_its_row(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    clock = ManualClock(NOW)
    wake = asyncio.Event()
    await add_rows(factory, [(5, "later")], not_before=NOW + timedelta(hours=1))
    await add_rows(factory, [(5, "now")])
    async with running_sender(factory, fake_telegram, clock=clock, wake_event=wake):
        await fake_telegram.wait_until(lambda: delivered_keys(fake_telegram, 5) == ["now"])
        await asyncio.sleep(0.3)
        assert delivered_keys(fake_telegram, 5) == ["now"]
        clock.advance(timedelta(hours=1))
        wake.set()
        await fake_telegram.wait_until(lambda: len(delivered_keys(fake_telegram, 5)) == 2)
    assert delivered_keys(fake_telegram, 5) == ["now", "later"]


@sqlite_only
async def test_the_wake_event_starts_delivery_at_once(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    wake = asyncio.Event()
    slow_poll = SenderOptions(poll_interval=60)
    async with running_sender(factory, fake_telegram, options=slow_poll, wake_event=wake):
        await asyncio.sleep(0.2)  # the sender has scanned and sleeps for a minute
        await add_rows(factory, [(5, "hello")])
        wake.set()
        await fake_telegram.wait_until(lambda: delivered_keys(fake_telegram, 5) == ["hello"])


@sqlite_only
async def test_stopping_does_not_wait_for_a_long_retry_after(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    await add_rows(factory, [(5, "m")])
    fake_telegram.fail_next(1, "retry_after", retry_after=60)
    loop = asyncio.get_running_loop()
    async with running_sender(factory, fake_telegram):
        await fake_telegram.wait_for(lambda c: c.outcome == "retry_after")
        stopping = loop.time()
    assert loop.time() - stopping < 5
    assert (await outbox_rows(factory))[0].state == "pending"


# --- several processes --------------------------------------------------------------------------


@pytest.mark.parametrize("database_kind", ["postgres"], indirect=True)
async def test_two_senders_share_a_postgres_outbox(
    database_url: str, fake_telegram: FakeTelegram
) -> None:
    engines = [create_engine(database_url), create_engine(database_url)]
    factories = [create_session_factory(e) for e in engines]
    chats = [1, 2, 3, -4, 5, 6]
    await add_rows(factories[0], [(chat, f"c{chat}-{n:02d}") for n in range(12) for chat in chats])
    limits = SenderLimits(
        overall=Window(200, 1.0), per_group=Window(100, 1.0), per_chat=Window(1, 0.01)
    )
    try:
        async with (
            running_sender(factories[0], fake_telegram, limits=limits),
            running_sender(factories[1], fake_telegram, limits=limits),
        ):
            await wait_settled(factories[0])
    finally:
        for engine in engines:
            await engine.dispose()
    for chat in chats:
        assert delivered_keys(fake_telegram, chat) == [f"c{chat}-{n:02d}" for n in range(12)]


def test_in_order_helper() -> None:
    assert in_order(["a", "b", "b", "c"], ["a", "b", "c"])
    assert not in_order(["b", "a"], ["a", "b"])


# --- small parts --------------------------------------------------------------------------------


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


@sqlite_only
async def test_prune_sent_keeps_the_rest(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    await add_rows(factory, [(5, "old"), (5, "new")])
    await add_rows(factory, [(5, "waiting")], not_before=NOW + timedelta(days=1))
    async with factory() as session:
        await session.execute(
            sa.update(OutboxRow)
            .where(OutboxRow.key.in_(["old", "new"]))
            .values(
                state="sent",
                sent_at=sa.case((OutboxRow.key == "old", NOW), else_=NOW + timedelta(days=8)),
            )
        )
        assert await OutboxRepository(session).prune_sent(NOW + timedelta(days=7)) == 1
        await session.commit()
    assert [r.key for r in await outbox_rows(factory)] == ["new", "waiting"]
