"""Every press answered at the press: another organisation's executor, a forged incident,
`/incident N` beside the working card."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.views.callbacks import Act, CardCb
from db.models import EventRow, Person
from tests.e2e.harness import CURATOR, PARKS_1, ROADS_1, ROADS_CHAT, BotWorld
from workflow.commands import Route, Take


async def _person(world: BotWorld, key: str) -> int:
    assert world.engine is not None
    async with world.engine.connect() as connection:
        return int((await connection.execute(select(Person.id).where(Person.key == key))).scalar())


async def _events(world: BotWorld) -> int:
    assert world.engine is not None
    async with world.engine.connect() as connection:
        count = await connection.execute(select(func.count()).select_from(EventRow))
        return int(count.scalar())


async def _routed_to_roads(world: BotWorld) -> int:
    incident = await world.detect("Яма на дороге у школы", "https://vk.com/wall-1_501")
    curator = await _person(world, "curator")
    await world.service.perform(incident.id, curator, Route(("roads",), "Дороги", "центр"))
    return incident.id


def _answer(world: BotWorld, query_id: str) -> str:
    return str(world.fake.callback_answers.get(query_id, {}).get("text", ""))


async def test_p11_another_organisations_executor_is_refused_at_the_press(
    world: BotWorld,
) -> None:
    incident_id = await _routed_to_roads(world)
    await world.service.perform(incident_id, await _person(world, "roads1"), Take())
    card = await world.wait_card(ROADS_CHAT, incident_id, having="Дорогин")
    events = await _events(world)
    for key in ("button.decline", "button.draft"):
        query = world.fake.press_button(
            ROADS_CHAT, card.message_id, world.button(ROADS_CHAT, card, key), user_id=PARKS_1
        )
        await world.until(lambda query=query: query in world.fake.callback_answers)
        answer = _answer(world, query)
        assert "не направлен в вашу организацию" in answer, (key, answer)
        # Nothing of the other organisation: not its executor, not its name.
        assert "Дорогин" not in answer and "дорожного" not in answer
    texts = [m.content or "" for m in world.fake.bot_messages(ROADS_CHAT)]
    assert not any("напишите, почему" in text or "Пришлите текст" in text for text in texts)
    assert await _events(world) == events


async def test_a_forged_press_on_a_missing_incident_is_answered(world: BotWorld) -> None:
    incident_id = await _routed_to_roads(world)
    card = await world.wait_card(ROADS_CHAT, incident_id)
    for act in (Act.TAKE, Act.REVIEW, Act.TIMELINE, Act.FULL_TEXT, Act.DECLINE):
        forged = CardCb(incident=999999, act=act, arg=1).pack()
        query = world.fake.press_button(
            ROADS_CHAT, card.message_id, forged, user_id=ROADS_1, check=False
        )
        await world.until(lambda query=query: query in world.fake.callback_answers)
        assert "№999999 не найден" in _answer(world, query), act


async def test_incident_command_leaves_the_working_card_and_its_buttons(world: BotWorld) -> None:
    incident = await world.detect("Нет света во дворе", "https://vk.com/wall-1_502")
    card = await world.wait_card(CURATOR, incident.id)
    route = world.t.text("button.route", "ru")
    assert route in world.labels(CURATOR, card)
    world.fake.user_message(CURATOR, f"/incident {incident.id}")
    await world.wait_bot_text(CURATOR, f"История инцидента №{incident.id}")
    marker = f"Инцидент №{incident.id}</b> ·"
    await world.until(
        lambda: sum(marker in (m.content or "") for m in world.fake.bot_messages(CURATOR)) == 2
    )
    copy = [m for m in world.fake.bot_messages(CURATOR) if marker in (m.content or "")][-1]
    assert copy.message_id != card.message_id
    assert route not in world.labels(CURATOR, copy)  # the copy only shows
    assert route in world.labels(CURATOR, world.fake.message(CURATOR, card.message_id))
    world.press(CURATOR, world.fake.message(CURATOR, card.message_id), "button.route", CURATOR)
    await world.wait_bot_text(CURATOR, "через точку с запятой")  # the working card still works
