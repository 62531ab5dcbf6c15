"""The outbox sender against the fake Bot API server, on SQLite and PostgreSQL: faults, limits,
timing."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.outbox import (
    SenderLimits,
    SenderOptions,
    Window,
)
from db.engine import create_engine, create_session_factory
from tests.delivery.sender_helpers import (
    FAST,
    SLACK,
    assert_retry_after_honoured,
    drain,
    running_sender,
    sqlite_only,
    wait_settled,
)
from tests.support.fake_telegram import FakeTelegram, limit_violations
from tests.support.outbox_helpers import (
    NOW,
    add_rows,
    delivered_keys,
    duplicates,
    in_order,
    outbox_rows,
)


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
