"""Managers' reports and the administrator's and everyone's directory commands."""

from __future__ import annotations

from sqlalchemy import select

from db.models import Absence, GroupChat
from tests.e2e.harness import ADMIN, MANAGER, ROADS_1, BotWorld

NEW_GROUP = -100777


async def _person(world: BotWorld, key: str) -> int:
    from db.models import Person

    assert world.engine is not None
    async with world.engine.connect() as connection:
        return int((await connection.execute(select(Person.id).where(Person.key == key))).scalar())


async def test_manager_sees_overdue_today_and_an_incidents_story(world: BotWorld) -> None:
    world.fake.user_message(MANAGER, "/overdue")
    await world.wait_bot_text(MANAGER, "Просроченных сроков нет")
    incident = await world.detect("Нет воды в доме 7", "https://vk.com/wall-1_70")
    world.fake.user_message(MANAGER, "/today")
    today = await world.wait_bot_text(MANAGER, "Сроки до конца дня")
    assert f"№{incident.id}" in (today.content or "")
    world.fake.user_message(MANAGER, f"/incident {incident.id}")
    story = await world.wait_bot_text(MANAGER, f"История инцидента №{incident.id}")
    assert "Выявлен" in (story.content or "")
    card = await world.wait_card(MANAGER, incident.id)
    # Read-only: a manager gets the card without the curator's or executors' buttons.
    labels = world.labels(MANAGER, card)
    assert world.t.text("button.route", "ru") not in labels
    assert world.t.text("button.timeline", "ru") in labels
    world.fake.user_message(MANAGER, "/incident abc")
    await world.wait_bot_text(MANAGER, "Формат: /incident НОМЕР")


async def test_executor_cannot_use_manager_reports(world: BotWorld) -> None:
    world.fake.user_message(ROADS_1, "/overdue")
    await world.wait_bot_text(ROADS_1, "работаю с карточками")


async def test_admin_binds_a_group_and_others_cannot(world: BotWorld) -> None:
    world.fake.user_message(NEW_GROUP, "/bind parks", user_id=ROADS_1)
    world.fake.user_message(NEW_GROUP, "/bind nosuch", user_id=ADMIN)
    await world.wait_bot_text(NEW_GROUP, "«nosuch» нет в справочнике")
    world.fake.user_message(NEW_GROUP, "/bind parks", user_id=ADMIN)
    await world.wait_bot_text(NEW_GROUP, "привязана к организации «Управление благоустройства»")
    assert world.engine is not None
    async with world.engine.connect() as connection:
        chats = (await connection.execute(select(GroupChat.chat_id))).scalars().all()
    assert NEW_GROUP in chats
    bound = [m for m in world.fake.bot_messages(NEW_GROUP) if "привязана" in (m.content or "")]
    assert len(bound) == 1  # the executor's /bind did nothing


async def test_away_and_back_set_the_stand_in_period(world: BotWorld) -> None:
    world.fake.user_message(ROADS_1, "/away 01.12.2026 03.12.2026")
    await world.wait_bot_text(ROADS_1, "отсутствие с 01.12.2026 по 03.12.2026")
    world.fake.user_message(ROADS_1, "/away 05.12.2026 02.12.2026")
    await world.wait_bot_text(ROADS_1, "раньше даты начала")
    world.fake.user_message(ROADS_1, "/away вчера")
    await world.wait_bot_text(ROADS_1, "Формат: /away")
    world.fake.user_message(ROADS_1, "/away 01.12.2026 03.12.2026 roads2")
    await world.wait_bot_text(ROADS_1, "только администратор")
    world.fake.user_message(ADMIN, "/away 10.12.2026 11.12.2026 roads2")
    await world.wait_bot_text(ADMIN, "Мостов Иван: отсутствие")
    assert world.engine is not None
    async with world.engine.connect() as connection:
        absences = (await connection.execute(select(Absence.person_id))).scalars().all()
    assert sorted(absences) == sorted(
        [await _person(world, "roads1"), await _person(world, "roads2")]
    )
    world.fake.user_message(ROADS_1, "/back")
    await world.wait_bot_text(ROADS_1, "с возвращением")
