"""End to end, as the curator drives it: "no answer needed" (п.10) with its ground, and a
consolidated answer (п.19) with a silent organisation withdrawn and the information shown."""

from __future__ import annotations

from tests.e2e.flows import approve_latest, compose, publish, route
from tests.e2e.harness import CURATOR, PARKS_1, PARKS_CHAT, ROADS_CHAT, BotWorld
from workflow.model import AssignmentStatus, DismissalGround, IncidentStatus


async def test_p10_a_thanks_comment_is_dismissed_with_its_ground(world: BotWorld) -> None:
    incident = await world.detect("Спасибо!", "https://vk.com/wall-1_7?reply=3")
    card = await world.wait_card(CURATOR, incident.id)

    world.press(CURATOR, card, "button.dismiss", CURATOR)
    prompt = await world.wait_bot_text(CURATOR, "почему ответ не требуется")
    world.press(CURATOR, prompt, "dismissal.ground.gratitude", CURATOR)

    ground = world.t.text("dismissal.ground.gratitude", "ru")
    card = await world.wait_card(CURATOR, incident.id, having=ground)
    assert world.t.text("status.dismissed", "ru") in (card.content or "")
    assert world.t.text("button.reopen", "ru") in world.labels(CURATOR, card)
    stored = await world.service.get(incident.id)
    assert stored.status is IncidentStatus.DISMISSED  # not п.21's CLOSED_NO_ANSWER
    assert stored.no_answer_reason is None
    assert stored.dismissal_ground == DismissalGround.GRATITUDE.value
    assert not [d for d in stored.deadlines if d.running]

    # A repeat of it: the ground "duplicate" asks for the number of the incident repeated.
    repeat = await world.detect("Спасибо!!", "https://vk.com/wall-1_7?reply=4")
    card = await world.wait_card(CURATOR, repeat.id)
    world.press(CURATOR, card, "button.dismiss", CURATOR)
    prompt = await world.wait_bot_text(CURATOR, "почему ответ не требуется")
    world.press(CURATOR, prompt, "dismissal.ground.duplicate", CURATOR)
    await world.wait_bot_text(CURATOR, "номер инцидента, который он повторяет")
    world.fake.user_message(CURATOR, "первый")
    await world.wait_bot_text(CURATOR, "Нужен номер инцидента цифрами")
    world.fake.user_message(CURATOR, f"№{incident.id}")
    await world.wait_card(CURATOR, repeat.id, having=f"повтор инцидента №{incident.id}")
    stored = await world.service.get(repeat.id)
    assert (stored.dismissal_ground, stored.dismissal_duplicate_of) == ("duplicate", incident.id)


async def test_p19_silent_organisation_withdrawn_and_the_answer_published(world: BotWorld) -> None:
    incident = await world.detect("Яма и сломанная скамейка у парка", "https://vk.com/wall-1_8")
    await route(
        world, incident.id, ["дорожного", "благоустройства"], ask_topic=True, key="button.route"
    )
    await compose(world, PARKS_CHAT, PARKS_1, incident.id, "button.info", "Скамейку заменим.")
    # The curator gets the information itself, and the card says whose is in.
    await world.wait_bot_text(CURATOR, "Скамейку заменим.")
    await world.wait_card(CURATOR, incident.id, having="информация получена")

    card = await world.wait_card(CURATOR, incident.id, having="информация ожидается")
    world.press(CURATOR, card, "button.withdraw", CURATOR)
    picker = await world.wait_bot_text(CURATOR, "какую организацию снять")
    roads = next(
        b.callback_data
        for b in world.fake.buttons(CURATOR, picker.message_id)
        if "дорожного" in b.text
    )
    world.fake.press_button(CURATOR, picker.message_id, roads, user_id=CURATOR)
    await world.wait_bot_text(CURATOR, "почему организация снимается")
    world.fake.user_message(CURATOR, "Молчат, информации благоустройства достаточно")
    await world.wait_bot_text(CURATOR, "организация снята")
    await world.wait_bot_text(ROADS_CHAT, "снята со сводного ответа")
    await world.wait_card(CURATOR, incident.id, having="снята куратором")

    await route(world, incident.id, ["благоустройства"], ask_topic=False, key="button.pick")
    await world.wait_card(PARKS_CHAT, incident.id, having="★")
    await compose(
        world,
        PARKS_CHAT,
        PARKS_1,
        incident.id,
        "button.draft",
        "Здравствуйте! Скамейку заменят в четверг, яму заделают после осмотра.",
    )
    draft_id = await approve_latest(world, incident.id)
    await publish(world, PARKS_CHAT, PARKS_1, incident.id, draft_id, "https://vk.com/wall-1_8?r=1")

    stored = await world.service.get(incident.id)
    assert stored.status is IncidentStatus.ANSWERED
    assert [a.status for a in stored.assignments] == [
        AssignmentStatus.WITHDRAWN,
        AssignmentStatus.DONE,
    ]


async def test_p19_the_consolidator_gets_the_other_organisations_information(
    world: BotWorld,
) -> None:
    incident = await world.detect("Яма у парка и мусор", "https://vk.com/wall-1_9")
    await route(
        world, incident.id, ["дорожного", "благоустройства"], ask_topic=True, key="button.route"
    )
    await compose(world, PARKS_CHAT, PARKS_1, incident.id, "button.info", "Мусор вывезем завтра.")
    # One organisation's information is enough to choose: roads, still silent, drafts.
    await world.until(
        lambda: (
            world.t.text("button.pick", "ru")
            in world.labels(CURATOR, world.card(CURATOR, incident.id))
        )  # type: ignore[arg-type]
    )
    await route(world, incident.id, ["дорожного"], ask_topic=False, key="button.pick")

    forwarded = await world.wait_bot_text(ROADS_CHAT, "Мусор вывезем завтра.")
    assert "благоустройства" in (forwarded.content or "")
    await world.wait_card(ROADS_CHAT, incident.id, having="★")
