"""Bad input through Telegram: strangers, forged buttons, stale cards, odd attachments."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.views.callbacks import Act, CardCb
from db.models import DraftRow, EventRow
from tests.e2e.harness import (
    ADMIN,
    CURATOR,
    PARKS_1,
    PARKS_CHAT,
    ROADS_1,
    ROADS_2,
    ROADS_CHAT,
    BotWorld,
)
from workflow.commands import Route

STRANGER = 777000


async def _count(world: BotWorld, model: type) -> int:
    assert world.engine is not None
    async with world.engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(model))).scalar())


async def _routed(world: BotWorld, org: str = "roads") -> int:
    incident = await world.detect("Яма на дороге у школы", f"https://vk.com/wall-1_{org}")
    await world.service.perform(
        incident.id,
        await _person(world, "curator"),
        Route(org_codes=(org,), topic="Дороги", location="центр"),
    )
    return incident.id


async def _person(world: BotWorld, key: str) -> int:
    from db.models import Person

    assert world.engine is not None
    async with world.engine.connect() as connection:
        return int((await connection.execute(select(Person.id).where(Person.key == key))).scalar())


def _answer(world: BotWorld, query_id: str) -> str:
    return str(world.fake.callback_answers.get(query_id, {}).get("text", ""))


async def test_stranger_is_told_whom_to_ask_and_admins_hear_of_it(world: BotWorld) -> None:
    world.fake.user_message(STRANGER, "Здравствуйте")
    reply = await world.wait_bot_text(STRANGER, "не зарегистрированы")
    assert "Кузнецов Илья" in (reply.content or "")
    notice = await world.wait_bot_text(ADMIN, "Незарегистрированный")
    assert str(STRANGER) in (notice.content or "")


async def test_stranger_pressing_a_button_is_refused_and_nothing_changes(world: BotWorld) -> None:
    incident_id = await _routed(world)
    card = await world.wait_card(ROADS_CHAT, incident_id)
    events = await _count(world, EventRow)
    data = world.button(ROADS_CHAT, card, "button.take")
    query = world.fake.press_button(ROADS_CHAT, card.message_id, data, user_id=STRANGER)
    await world.until(lambda: query in world.fake.callback_answers)
    assert "не зарегистрированы" in _answer(world, query)
    assert await _count(world, EventRow) == events


async def test_forged_callback_data_is_refused_and_logged(world: BotWorld) -> None:
    incident_id = await _routed(world)
    card = await world.wait_card(ROADS_CHAT, incident_id)
    events = await _count(world, EventRow)
    for forged in ("c:abc:tk:0", "zz:1:2:3", "c:1:unknown:0", "r:1:1:t:not_a_reason"):
        query = world.fake.press_button(
            ROADS_CHAT, card.message_id, forged, user_id=ROADS_1, check=False
        )
        await world.until(lambda query=query: query in world.fake.callback_answers)
        answer = _answer(world, query)
        assert "устарела" in answer or "завершён" in answer, (forged, answer)
    assert await _count(world, EventRow) == events
    assert "refused callback data" in world.bot_log()


async def test_press_not_allowed_for_the_role_is_refused_and_card_refreshed(
    world: BotWorld,
) -> None:
    incident_id = await _routed(world)
    card = await world.wait_card(ROADS_CHAT, incident_id)
    edits_before = len(world.fake.calls_of("editMessageText"))
    forged = CardCb(incident=incident_id, act=Act.CLOSE).pack()  # a curator's button
    query = world.fake.press_button(
        ROADS_CHAT, card.message_id, forged, user_id=ROADS_1, check=False
    )
    await world.until(lambda: query in world.fake.callback_answers)
    assert "недоступно" in _answer(world, query)
    await world.until(lambda: len(world.fake.calls_of("editMessageText")) > edits_before)
    assert (await world.service.get(incident_id)).status.value == "in_work"


async def test_second_take_on_a_stale_card_names_who_took_it(world: BotWorld) -> None:
    incident_id = await _routed(world)
    card = await world.wait_card(ROADS_CHAT, incident_id)
    data = world.button(ROADS_CHAT, card, "button.take")
    first = world.fake.press_button(ROADS_CHAT, card.message_id, data, user_id=ROADS_1)
    await world.until(lambda: first in world.fake.callback_answers)
    second = world.fake.press_button(
        ROADS_CHAT, card.message_id, data, user_id=ROADS_2, check=False
    )
    await world.until(lambda: second in world.fake.callback_answers)
    answer = _answer(world, second)
    assert "уже в работе" in answer and "Дорогин Пётр" in answer
    holders = [a.holder_id for a in (await world.service.get(incident_id)).assignments]
    assert holders == [await _person(world, "roads1")]


async def test_unsupported_attachment_is_explained_and_draft_step_survives(
    world: BotWorld,
) -> None:
    incident_id = await _routed(world, "parks")
    card = await world.wait_card(PARKS_CHAT, incident_id)
    world.press(PARKS_CHAT, card, "button.draft", PARKS_1)
    await world.wait_bot_text(PARKS_CHAT, "Пришлите текст")
    sticker = world.fake._user_message(PARKS_CHAT, PARKS_1)
    world.fake._enqueue_update(
        "message",
        {
            **world.fake._message_json(sticker),
            "sticker": {
                "file_id": "st-1",
                "file_unique_id": "u-st-1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            },
        },
    )
    await world.wait_bot_text(PARKS_CHAT, "не принимается")
    world.fake.user_message(PARKS_CHAT, "Здравствуйте! Всё уберём.", user_id=PARKS_1)
    note = await world.wait_bot_text(PARKS_CHAT, "вложений 0")
    world.press(PARKS_CHAT, note, "button.send", PARKS_1)
    await world.wait_card(CURATOR, incident_id, having="на согласовании")


async def test_abandoned_step_writes_nothing_and_can_be_resumed_or_cancelled(
    world: BotWorld,
) -> None:
    incident_id = await _routed(world, "parks")
    card = await world.wait_card(PARKS_CHAT, incident_id)
    world.press(PARKS_CHAT, card, "button.draft", PARKS_1)
    await world.wait_bot_text(PARKS_CHAT, "Пришлите текст")
    world.fake.user_message(PARKS_CHAT, "Здравствуйте! Первая часть.", user_id=PARKS_1)
    await world.wait_bot_text(PARKS_CHAT, "вложений 0")
    assert await _count(world, DraftRow) == 0  # nothing half-written
    world.press(PARKS_CHAT, card, "button.draft", PARKS_1)  # pressed again: resumed
    resumed = await world.wait_bot_text(PARKS_CHAT, "Продолжаем")
    world.press(PARKS_CHAT, resumed, "button.send", PARKS_1)
    await world.wait_card(CURATOR, incident_id, having="на согласовании")
    assert (await world.service.get(incident_id)).drafts[-1].text == "Здравствуйте! Первая часть."

    world.fake.user_message(PARKS_CHAT, "/cancel", user_id=PARKS_1)
    await world.wait_bot_text(PARKS_CHAT, "Нечего отменять")


async def test_cancelled_step_leaves_no_draft(world: BotWorld) -> None:
    incident_id = await _routed(world, "parks")
    card = await world.wait_card(PARKS_CHAT, incident_id)
    world.press(PARKS_CHAT, card, "button.draft", PARKS_1)
    await world.wait_bot_text(PARKS_CHAT, "Пришлите текст")
    world.fake.user_message(PARKS_CHAT, "Черновик, который не нужен", user_id=PARKS_1)
    await world.wait_bot_text(PARKS_CHAT, "вложений 0")
    world.fake.user_message(PARKS_CHAT, "/cancel", user_id=PARKS_1)
    await world.wait_bot_text(PARKS_CHAT, "ничего не сохранено")
    assert await _count(world, DraftRow) == 0


async def test_invitation_registers_a_person_and_sets_their_menu(world: BotWorld) -> None:
    world.fake.user_message(ADMIN, "/invite newcomer")
    invitation = await world.wait_bot_text(ADMIN, "?start=")
    code = (invitation.content or "").split("?start=")[1].split()[0]
    world.fake.user_message(880001, f"/start {code}")
    await world.wait_bot_text(880001, "Добро пожаловать, Новикова Ольга")
    await world.until(lambda: bool(world.fake.calls_of("setMyCommands")))
    world.fake.user_message(880002, f"/start {code}")  # used already
    await world.wait_bot_text(880002, "недействительно")
