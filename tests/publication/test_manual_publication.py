"""п.16 by hand: the approved text to copy, the press «Опубликовать», and the link checked
against the incident's post (the same network, the same post)."""

from __future__ import annotations

import pytest

from bot.services.publication import Pressed
from tests.publication.conftest import GROUP_ID, World, vk_comment_post
from tests.support.fake_vk import FakeVk
from workflow.commands import CloseNoAnswer, ConfirmPublication
from workflow.model import IncidentStatus, NoAnswerReason, Post, Source
from workflow.post_links import LinkProblem, publication_link_problem

OK_POST = Post(Source.OK, "https://ok.ru/group/5301/topic/1554", "Нет света в подъезде")


@pytest.mark.parametrize(
    ("link", "problem"),
    [
        ("https://vk.com/wall-1_7?reply=900&thread=42", None),
        ("https://m.vk.com/wall-1_7?reply=900", None),
        ("https://vk.com/club1?w=wall-1_7", None),
        ("https://vk.com/wall-1_8?reply=900", LinkProblem.OTHER_POST),
        ("https://vk.com/wall-2_7?reply=900", LinkProblem.OTHER_POST),
        ("https://ok.ru/group/5301/topic/1554", LinkProblem.OTHER_NETWORK),
        ("https://t.me/c/9000/16", LinkProblem.OTHER_NETWORK),
        ("vk.com/wall-1_7", LinkProblem.NOT_A_LINK),
    ],
)
def test_p16_a_vk_link_must_point_at_the_incidents_post(
    link: str, problem: LinkProblem | None
) -> None:
    assert publication_link_problem("https://vk.com/wall-1_7?reply=42", link) is problem


def test_p16_ok_and_telegram_links_are_compared_by_their_post() -> None:
    ok = "https://ok.ru/group/5301/topic/1554"
    assert publication_link_problem(ok, "https://ok.ru/group/5301/topic/1554?c=9") is None
    assert publication_link_problem(ok, "https://ok.ru/group/5301/topic/1555") is (
        LinkProblem.OTHER_POST
    )
    telegram = "https://t.me/c/9000/15"
    assert publication_link_problem(telegram, "https://t.me/c/9000/16") is None
    assert publication_link_problem(telegram, "https://t.me/c/9001/16") is LinkProblem.OTHER_POST


async def test_p16_a_manual_link_to_another_post_or_network_is_refused_with_the_reason(
    world: World,
) -> None:
    await world.set_publish("roads", "manual")
    incident, draft_id = await world.approved(OK_POST)
    check = world.publication.check_manual
    other_post = "https://ok.ru/group/5301/topic/999"
    other_network = "https://vk.com/wall-1_7?reply=5"
    assert await check(incident.id, draft_id, other_post) == "publication.link.other_post"
    assert await check(incident.id, draft_id, other_network) == "publication.link.other_network"
    right = "https://ok.ru/group/5301/topic/1554?comment=77"
    assert await check(incident.id, draft_id, right) is None
    await world.incidents.perform(
        incident.id, world.person("roads_1"), ConfirmPublication(draft_id, right)
    )
    assert (await world.incidents.get(incident.id)).status is IncidentStatus.ANSWERED


async def test_p16_the_menu_offers_the_approved_text_and_the_bot_only_where_it_can(
    world: World,
) -> None:
    await world.set_publish("roads", "press")
    vk_incident, vk_draft = await world.approved(vk_comment_post())
    menu = await world.publication.menu(vk_incident.id, vk_draft)
    assert menu is not None and menu.bot_can_publish and menu.job_state is None
    ok_incident, ok_draft = await world.approved(OK_POST)
    menu = await world.publication.menu(ok_incident.id, ok_draft)
    assert menu is not None and not menu.bot_can_publish
    assert menu.text == ok_incident.drafts[-1].text


async def test_p16_press_publishes_once_for_the_publisher_only(
    world: World, fake_vk: FakeVk
) -> None:
    await world.set_publish("roads", "press")
    incident, draft_id = await world.approved(vk_comment_post())
    await world.worker.run_once()
    assert fake_vk.calls == []  # "press": nothing happens on approval alone
    press = world.publication.press
    assert await press(incident.id, world.person("parks_1"), draft_id) is Pressed.REFUSED
    assert await press(incident.id, world.person("roads_1"), draft_id) is Pressed.QUEUED
    assert await press(incident.id, world.person("roads_1"), draft_id) is Pressed.ALREADY
    await world.worker.run_once()
    [comment] = fake_vk.comments
    stored = await world.incidents.get(incident.id)
    assert stored.status is IncidentStatus.ANSWERED
    assert stored.drafts[-1].published_url == (
        f"https://vk.com/wall-{GROUP_ID}_7?reply={comment.id}&thread=42"
    )
    ok_incident, ok_draft = await world.approved(OK_POST)
    assert await press(ok_incident.id, world.person("roads_1"), ok_draft) is Pressed.BY_HAND


async def test_p16_a_link_given_by_hand_calls_off_the_bots_waiting_job(
    world: World, fake_vk: FakeVk
) -> None:
    incident, draft_id = await world.approved(vk_comment_post())
    link = "https://vk.com/wall-1_7?reply=901"
    assert await world.publication.check_manual(incident.id, draft_id, link) is None
    await world.incidents.perform(
        incident.id, world.person("roads_1"), ConfirmPublication(draft_id, link)
    )
    await world.worker.run_once()
    assert fake_vk.calls == []  # published by hand: the bot posts nothing


async def test_p16_a_job_whose_incident_was_closed_meanwhile_posts_nothing(
    world: World, fake_vk: FakeVk
) -> None:
    incident, _ = await world.approved(vk_comment_post())
    await world.incidents.perform(
        incident.id, world.person("curator"), CloseNoAnswer(NoAnswerReason.POST_DELETED)
    )
    await world.worker.run_once()
    assert fake_vk.calls == []
    stored = await world.incidents.get(incident.id)
    assert stored.no_answer_reason is NoAnswerReason.POST_DELETED
