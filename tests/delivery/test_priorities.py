"""Per-chat priorities, the flood summary, and the notices the sender writes itself."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.outbox import (
    FLOOD_SUMMARY_KEY,
    DeliveryFailure,
    OutboxSender,
    SenderLimits,
    SenderOptions,
    Window,
    notify_admins,
)
from bot.services.outbox_writer import OutboxWriter
from db.engine import create_session_factory
from db.models import OutboxRow
from db.outbox_repository import OutboxKind, OutboxState, Priority
from db.uow import UnitOfWork
from tests.support.directory_seed import seed_directory
from tests.support.fake_telegram import FakeTelegram, limit_violations
from tests.support.outbox_helpers import (
    NOW,
    PlainRenderer,
    add_incident,
    add_rows,
    delivered_keys,
    key_of,
    outbox_rows,
)
from workflow.effects import Addressee, Message

FAST = SenderLimits(
    overall=Window(100, 1.0), per_group=Window(100, 1.0), per_chat=Window(1, 0.02), margin=0.01
)
OPTIONS = SenderOptions(poll_interval=0.2, backoff_base=0.05, backoff_max=0.4)
GROUP = -700


@pytest.fixture
def factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@asynccontextmanager
async def running(
    factory: async_sessionmaker[AsyncSession],
    server: FakeTelegram,
    *,
    options: SenderOptions = OPTIONS,
    limits: SenderLimits = FAST,
) -> AsyncIterator[OutboxSender]:
    bot = server.bot()
    sender = OutboxSender(
        factory,
        bot,
        PlainRenderer(),
        limits,
        options=options,
        clock=ManualClock(NOW),
        open_card_data=lambda incident_id: f"c:{incident_id}:op:0",
    )
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        yield sender
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await bot.session.close()


async def _incidents(factory: async_sessionmaker[AsyncSession], count: int) -> list[int]:
    async with factory() as session:
        ids = [await add_incident(session, number) for number in range(1, count + 1)]
        await session.commit()
    return ids


# --- priorities ---------------------------------------------------------------------------------


async def test_a_reply_jumps_ahead_of_300_queued_notices(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    await add_rows(factory, [(GROUP, f"n{n:03d}") for n in range(300)])
    async with running(factory, fake_telegram):
        await fake_telegram.wait_until(lambda: len(delivered_keys(fake_telegram, GROUP)) >= 3)
        await add_rows(factory, [(GROUP, "reply")], priority=Priority.REPLY)
        await fake_telegram.wait_until(lambda: "reply" in delivered_keys(fake_telegram, GROUP))
        keys = delivered_keys(fake_telegram, GROUP)
    position = keys.index("reply")
    # Behind at most the requests already on their way when it was written, not 290 notices.
    assert position <= keys.index("n002") + 3, keys[: position + 1]
    notices = [key for key in keys if key != "reply"]
    assert notices == sorted(notices)  # FIFO within a priority


async def test_actions_before_notices_replies_first(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    await add_rows(factory, [(5, "notice1"), (5, "notice2")], priority=Priority.NOTICE)
    await add_rows(factory, [(5, "action1"), (5, "action2")], priority=Priority.ACTION)
    await add_rows(factory, [(5, "reply")], priority=Priority.REPLY)
    async with running(factory, fake_telegram):
        await fake_telegram.wait_until(lambda: len(delivered_keys(fake_telegram, 5)) == 5)
    assert delivered_keys(fake_telegram, 5) == [
        "reply",
        "action1",
        "action2",
        "notice1",
        "notice2",
    ]


async def test_the_card_of_a_press_is_written_first_for_its_chat(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await seed_directory(session)
        incident_id = await add_incident(session)
    async with UnitOfWork(sessions) as uow:
        incident = await uow.incidents.get(incident_id)
        assert incident is not None
        await OutboxWriter("ru").cards(uow, incident, NOW, reply_chat=1002)
    rows = await outbox_rows(sessions)
    assert {(r.chat_id, r.priority) for r in rows} == {
        (1001, Priority.ACTION),
        (1002, Priority.REPLY),
    }


# --- no notice where the card says it ----------------------------------------------------------


async def test_no_detected_notice_where_the_new_card_goes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        await seed_directory(session)
        incident_id = await add_incident(session)
    detected = Message(Addressee.curators(), "incident.detected", {"url": "u"}, incident_id)
    elsewhere = Message(Addressee.organisation("roads"), "incident.detected", {}, incident_id)
    routed = Message(Addressee.curators(), "incident.routed", {}, incident_id)
    writer = OutboxWriter("ru")
    async with UnitOfWork(sessions) as uow:
        incident = await uow.incidents.get(incident_id)
        assert incident is not None
        await writer.cards(uow, incident, NOW)
        await writer.messages(uow, [detected, elsewhere, routed], NOW)
    rows = await outbox_rows(sessions)
    cards = {r.chat_id for r in rows if r.kind == OutboxKind.CARD}
    messages = {(r.chat_id, r.key) for r in rows if r.kind == OutboxKind.MESSAGE}
    assert cards == {1001, 1002}  # the curators' private chats (no centre group here)
    # The card says "new incident" to the curators; the roads' group gets no card, so it
    # keeps its notice; other notices are untouched.
    assert messages == {
        (-100200, "incident.detected"),
        (1001, "incident.routed"),
        (1002, "incident.routed"),
    }

    # In another unit of work (no card written there) the notice is sent as before.
    async with UnitOfWork(sessions) as uow:
        await writer.messages(uow, [detected], NOW)
    rows = await outbox_rows(sessions)
    assert {r.chat_id for r in rows if r.key == "incident.detected"} == {-100200, 1001, 1002}


# --- floods -------------------------------------------------------------------------------------


async def test_a_flood_of_first_cards_is_summarised_at_once(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    incidents = await _incidents(factory, 60)
    for incident_id in incidents:
        await add_rows(
            factory,
            [(GROUP, "card", {"audience": "centre"})],
            kind="card",
            incident_id=incident_id,
            priority=Priority.ACTION,
        )
    await add_rows(factory, [(GROUP, "notice")])
    options = SenderOptions(poll_interval=0.2, flood_threshold=10)
    async with running(factory, fake_telegram, options=options):
        await fake_telegram.wait_until(
            lambda: delivered_keys(fake_telegram, GROUP).count("card") == 60, timeout=30
        )
    keys = delivered_keys(fake_telegram, GROUP)
    # Two summaries (50 + 10) first, then the notice, then the cards as capacity allows.
    assert keys[:3] == [FLOOD_SUMMARY_KEY, FLOOD_SUMMARY_KEY, "notice"], keys[:5]
    summaries = [
        m for m in fake_telegram.bot_messages(GROUP) if key_of(m.text) == FLOOD_SUMMARY_KEY
    ]
    listed = [
        button.callback_data
        for message in summaries
        for button in fake_telegram.buttons(GROUP, message.message_id)
    ]
    assert listed == [f"c:{incident_id}:op:0" for incident_id in incidents]
    assert all(r.state == OutboxState.SENT for r in await outbox_rows(factory))


async def test_few_first_cards_are_just_sent(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    for incident_id in await _incidents(factory, 10):
        await add_rows(
            factory,
            [(GROUP, "card")],
            kind="card",
            incident_id=incident_id,
            priority=Priority.ACTION,
        )
    async with running(factory, fake_telegram, options=SenderOptions(flood_threshold=10)):
        await fake_telegram.wait_until(lambda: len(delivered_keys(fake_telegram, GROUP)) == 10)
    assert delivered_keys(fake_telegram, GROUP) == ["card"] * 10


async def test_an_opened_card_of_a_summarised_incident_comes_next(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    incidents = await _incidents(factory, 20)
    for incident_id in incidents:
        await add_rows(
            factory,
            [(GROUP, "card", {"v": incident_id})],
            kind="card",
            incident_id=incident_id,
            priority=Priority.ACTION,
        )
    slow = SenderLimits(per_chat=Window(1, 0.3), margin=0.01)
    options = SenderOptions(poll_interval=0.2, flood_threshold=5)
    async with running(factory, fake_telegram, options=options, limits=slow):
        await fake_telegram.wait_until(
            lambda: FLOOD_SUMMARY_KEY in delivered_keys(fake_telegram, GROUP)
        )
        # The curator presses the last incident's button: its card is written as a reply.
        await add_rows(
            factory,
            [(GROUP, "card", {"v": "opened"})],
            kind="card",
            incident_id=incidents[-1],
            priority=Priority.REPLY,
        )
        await fake_telegram.wait_until(
            lambda: any("opened" in (m.text or "") for m in fake_telegram.bot_messages(GROUP))
        )
        texts = [m.text or "" for m in fake_telegram.bot_messages(GROUP)]
    assert len(texts) <= 4, texts  # the summary, a card or two on the way, the opened card
    async with factory() as session:
        rows = (
            await session.scalars(
                sa.select(OutboxRow).where(OutboxRow.incident_id == incidents[-1])
            )
        ).all()
    assert {r.state for r in rows} == {OutboxState.SENT}  # coalesced: one card, not two


# --- the sender's own notices -------------------------------------------------------------------


async def test_admin_notices_are_written_through_the_writer_to_the_admin_role(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        seeded = await seed_directory(session)
    admin_chat = seeded.telegram["admin"]
    tell = notify_admins(OutboxWriter("en"), clock=ManualClock(NOW))
    failure = DeliveryFailure(
        chat_id=-100300, error="Forbidden", key="card", row_ids=(1, 2), chat_unreachable=True
    )
    about_admin = DeliveryFailure(
        chat_id=admin_chat, error="blocked", key="x", row_ids=(3,), chat_unreachable=True
    )
    async with UnitOfWork(sessions) as uow:
        await tell(uow, failure)
        await tell(uow, about_admin)  # the admin is not told about their own chat
    [row] = await outbox_rows(sessions)
    assert (row.chat_id, row.key, row.locale) == (admin_chat, "outbox.delivery_failed", "en")
    assert row.params == {
        "chat_id": -100300,
        "error": "Forbidden",
        "messages": 2,
        "chat_unreachable": True,
    }


async def test_a_groups_reply_reserve_is_left_to_replies(
    factory: async_sessionmaker[AsyncSession], fake_telegram: FakeTelegram
) -> None:
    group_window = SenderLimits(per_group=Window(5, 1.0), per_chat=Window(1, 0.02), margin=0.01)
    await add_rows(factory, [(GROUP, f"n{n:02d}") for n in range(8)])
    options = SenderOptions(poll_interval=0.2, reply_reserve=3, reserve_recheck=0.05)
    async with running(factory, fake_telegram, options=options, limits=group_window):
        await fake_telegram.wait_until(lambda: len(delivered_keys(fake_telegram, GROUP)) >= 2)
        await add_rows(factory, [(GROUP, "reply")], priority=Priority.REPLY)
        await fake_telegram.wait_until(
            lambda: len(delivered_keys(fake_telegram, GROUP)) == 9, timeout=10
        )
    notices = [
        call
        for call, message in zip(
            fake_telegram.calls_of("sendMessage"), fake_telegram.bot_messages(GROUP), strict=True
        )
        if key_of(message.text) != "reply"
    ]
    # Notices never took more than 5 - 3 slots of the window: the rest waited for replies.
    only_two = SenderLimits(per_group=Window(2, 1.0), per_chat=Window(1, 0.02), margin=0.0)
    assert limit_violations(notices, only_two, slack=0.005) == []
    assert "reply" in delivered_keys(fake_telegram, GROUP)[:4]
