"""The outbox sender's card edits against the fake Bot API server: coalescing, no-ops and vanished
cards."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import IncidentCard
from tests.delivery.sender_helpers import drain
from tests.support.fake_telegram import FakeTelegram
from tests.support.outbox_helpers import (
    PlainRenderer,
    add_incident,
    add_rows,
    outbox_rows,
)


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
