"""End to end: a consolidated answer from two organisations (п.19), and an interim answer
followed by the final one (п.18)."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.flows import approve_latest, compose, publish, route
from tests.e2e.harness import CURATOR, PARKS_1, PARKS_CHAT, ROADS_1, ROADS_CHAT, BotWorld
from workflow.model import DeadlineKind, DraftKind, IncidentStatus


async def test_p19_consolidated_answer_from_two_organisations(world: BotWorld) -> None:
    incident = await world.detect("Яма и сломанная скамейка у парка", "https://vk.com/wall-1_5")
    await route(
        world, incident.id, ["дорожного", "благоустройства"], ask_topic=True, key="button.route"
    )
    for chat, user, text in (
        (ROADS_CHAT, ROADS_1, "Яму заделаем в среду."),
        (PARKS_CHAT, PARKS_1, "Скамейку заменим в четверг."),
    ):
        card = await world.wait_card(chat, incident.id)
        assert world.t.text("button.info", "ru") in world.labels(chat, card)
        assert world.t.text("button.draft", "ru") not in world.labels(chat, card)
        await compose(world, chat, user, incident.id, "button.info", text)
    await world.wait_card(CURATOR, incident.id)
    await world.until(
        lambda: (
            world.t.text("button.pick", "ru")
            in world.labels(CURATOR, world.card(CURATOR, incident.id))
        )  # type: ignore[arg-type]
    )
    await route(world, incident.id, ["благоустройства"], ask_topic=False, key="button.pick")
    await world.wait_card(PARKS_CHAT, incident.id, having="★")
    await compose(
        world,
        PARKS_CHAT,
        PARKS_1,
        incident.id,
        "button.draft",
        "Здравствуйте! Яму заделают в среду, скамейку заменят в четверг.",
    )
    draft_id = await approve_latest(world, incident.id)
    await publish(world, PARKS_CHAT, PARKS_1, incident.id, draft_id, "https://vk.com/wall-1_5?r=1")

    stored = await world.service.get(incident.id)
    assert stored.status is IncidentStatus.ANSWERED
    assert stored.consolidated
    assert [d.kind for d in stored.drafts] == [DraftKind.INFO, DraftKind.INFO, DraftKind.ANSWER]
    assert [a.consolidator for a in stored.assignments] == [False, True]


async def test_p18_interim_answer_then_final_answer(world: BotWorld) -> None:
    incident = await world.detect("Когда отремонтируют дорогу?", "https://vk.com/wall-1_6")
    await route(world, incident.id, ["дорожного"], ask_topic=True, key="button.route")
    await compose(
        world,
        ROADS_CHAT,
        ROADS_1,
        incident.id,
        "button.interim",
        "Здравствуйте! Вопрос в работе, ответим подробно в течение недели.",
    )
    interim = await approve_latest(world, incident.id)
    await publish(world, ROADS_CHAT, ROADS_1, incident.id, interim, "https://vk.com/wall-1_6?r=1")
    await world.wait_card(CURATOR, incident.id, having="окончательный")
    stored = await world.service.get(incident.id)
    assert stored.status is IncidentStatus.INTERIM
    assert any(d.running and d.kind is DeadlineKind.FINAL_ANSWER for d in stored.deadlines)

    # п.18: the curator sets the step lengths for this stage.
    card = world.card(CURATOR, incident.id)
    assert card is not None
    world.press(CURATOR, card, "button.limits", CURATOR)
    prompt = await world.wait_bot_text(CURATOR, "сроки этапов до окончательного ответа")
    step = "согласование: по регламенту"  # the steps by their Russian names
    data = next(
        b.callback_data for b in world.fake.buttons(CURATOR, prompt.message_id) if b.text == step
    )
    for shown in ("согласование: 30 мин", "согласование: 1 ч"):  # each press: the next value
        world.fake.press_button(CURATOR, prompt.message_id, str(data), user_id=CURATOR)
        await world.until(
            lambda shown=shown: (
                shown in [b.text for b in world.fake.buttons(CURATOR, prompt.message_id)]
            )
        )
    world.press(CURATOR, world.fake.message(CURATOR, prompt.message_id), "button.confirm", CURATOR)
    await world.until(
        lambda: (
            world.fake.callback_answers
            and any(
                "Сроки этапов по инциденту" in str(a.get("text"))
                for a in world.fake.callback_answers.values()
            )
        )
    )

    await compose(
        world,
        ROADS_CHAT,
        ROADS_1,
        incident.id,
        "button.draft",
        "Здравствуйте! Дорогу отремонтируют до 15 декабря.",
    )
    final = await approve_latest(world, incident.id)
    await publish(world, ROADS_CHAT, ROADS_1, incident.id, final, "https://vk.com/wall-1_6?r=2")
    stored = await world.service.get(incident.id)
    assert stored.status is IncidentStatus.ANSWERED
    assert [d.kind for d in stored.drafts] == [DraftKind.INTERIM, DraftKind.ANSWER]
    assert stored.stage_limits is not None and stored.stage_limits.review == timedelta(hours=1)
