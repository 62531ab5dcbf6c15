"""п.16 with PUBLISHER=centre: the curators (and their deputies) press «Опубликовать» and the
bot's comment is recorded on their behalf; the organisation's executor may not."""

from __future__ import annotations

import pytest

from bot.services.publication import Pressed
from tests.publication.conftest import GROUP_ID, World, vk_comment_post
from tests.support.fake_vk import FakeVk
from workflow.model import DraftStatus, IncidentStatus
from workflow.policy import Policy, Publisher


@pytest.fixture
def policy() -> Policy:
    return Policy(publisher=Publisher.CENTRE)


async def test_p16_the_centre_presses_publish_and_the_link_is_recorded_for_it(
    world: World, fake_vk: FakeVk
) -> None:
    await world.set_publish("roads", "press")
    incident, draft_id = await world.approved(vk_comment_post())
    press = world.publication.press
    assert await press(incident.id, world.person("roads_1"), draft_id) is Pressed.REFUSED
    assert await press(incident.id, world.person("deputy"), draft_id) is Pressed.QUEUED
    await world.worker.run_once()
    [comment] = fake_vk.comments
    stored = await world.incidents.get(incident.id)
    assert stored.status is IncidentStatus.ANSWERED
    draft = stored.drafts[-1]
    assert draft.status is DraftStatus.PUBLISHED
    assert draft.published_url == f"https://vk.com/wall-{GROUP_ID}_7?reply={comment.id}&thread=42"
    assert draft.published_by == world.person("deputy")  # not the executor holding it
