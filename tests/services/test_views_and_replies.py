"""The views' read model is loaded once per render batch; a step's reply goes through the
outbox with its keyboard and renders in the reader's language."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from bot.clock import ManualClock
from bot.i18n import Translator
from bot.services.replies import Replies
from bot.views.callbacks import OrgPickCb, PickOp
from bot.views.keyboard import button, cancel_button
from bot.views.renderer import OutboxRenderer
from db.models import OutboxRow
from db.outbox_repository import OutboxKind, Priority
from tests.conftest import MOSCOW_OFFICE
from workflow.model import Post, Source
from workflow.policy import Policy

START = datetime(2026, 4, 29, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def _renderer(clock: ManualClock) -> OutboxRenderer:
    return OutboxRenderer(Translator(), clock, Policy(), MOSCOW_OFFICE)


async def _card_rows(sessions) -> list[OutboxRow]:
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxRow).where(OutboxRow.kind == OutboxKind.CARD.value).order_by(OutboxRow.id)
        )
        return list(rows.scalars())


async def test_a_render_batch_reads_the_directory_once(service, sessions, people, engine, clock):
    for number in (1, 2, 3):
        await service.detect(Post(Source.VK, f"https://vk.com/wall-1_{number}", f"Яма {number}"))
    rows = await _card_rows(sessions)
    assert len(rows) >= 3
    renderer = _renderer(clock)
    loads = {"directory": 0, "card": 0}
    directory, card = renderer.read_models.directory, renderer.read_models.card

    async def count_directory(uow):
        loads["directory"] += 1
        return await directory(uow)

    async def count_card(uow, incident_id):
        loads["card"] += 1
        return await card(uow, incident_id)

    renderer.read_models.directory = count_directory  # type: ignore[method-assign]
    renderer.read_models.card = count_card  # type: ignore[method-assign]
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with sessions() as session:
            one = await renderer.render_batch(session, rows[:1])
            single = len(statements)
            statements.clear()
            many = await renderer.render_batch(session, rows)
            batch = len(statements)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    incidents = {row.incident_id for row in rows}
    assert len(incidents) < len(rows)  # two curators: two cards of each incident
    assert loads == {"directory": 2, "card": 1 + len(incidents)}
    assert all("Инцидент №" in rendered.text for rendered in [*one, *many])
    # The directory comes from the cached snapshot, and each incident is read once per
    # batch: the batch costs the first card's reads once per incident, nothing more.
    assert batch == single * len(incidents)


async def test_a_step_reply_is_an_outbox_row_first_in_its_chat_with_its_buttons(
    sessions, people, clock
) -> None:
    woken: list[bool] = []
    replies = Replies(sessions, clock, "ru", lambda: woken.append(True))
    confirm = OrgPickCb(incident=5, op=PickOp.CONFIRM).pack()
    toggle = OrgPickCb(incident=5, op=PickOp.TOGGLE, org=1).pack()
    await replies.send(
        -100200,
        "ask.pick_organisations",
        locale="en",
        params={"id": 5},
        keyboard=[[button(toggle, label="☑ Дороги")], [button(confirm, key="button.confirm")]],
    )
    assert woken == [True]
    async with sessions() as session:
        row = (await session.execute(select(OutboxRow))).scalars().one()
        assert (row.chat_id, row.key, row.priority) == (
            -100200,
            "ask.pick_organisations",
            int(Priority.REPLY),
        )
        rendered = await _renderer(clock)(session, row)
    translator = Translator()
    assert rendered.text == translator.text("ask.pick_organisations", "en", id=5)
    assert rendered.keyboard is not None
    labels = [
        [(b.text, b.callback_data) for b in line] for line in rendered.keyboard.inline_keyboard
    ]
    assert labels == [
        [("☑ Дороги", toggle)],
        [(translator.text("button.confirm", "en"), confirm)],
    ]


def test_a_prompt_keyboard_is_plain_json() -> None:
    """It is stored in the outbox row's parameters, so it must survive JSON."""
    spec = [[cancel_button()]]
    assert json.loads(json.dumps(spec)) == spec
