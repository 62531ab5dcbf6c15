"""The post's later life through VK's Callback API: an edited comment updates the incident's
text and tells its holder; a deleted one marks it and asks the curators to choose."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.intake.vk_changes import change_from_event
from bot.services.post_changes import ChangeKind, PostChanges
from db.models import OutboxRow
from tests.intake.conftest import VK_GROUP, incident_rows, outbox_rows
from tests.intake.test_vk import comment, event, send
from workflow.commands import Route, Take

NEW = comment(post_id=12, owner_id=-VK_GROUP, post_owner_id=-VK_GROUP)
EDITED = "Когда отремонтируют дорогу на улице Ленина? Уже две недели жду!"


@pytest.fixture
def changes(intake, sessions, clock) -> PostChanges:
    intake.post_changes = PostChanges(sessions, clock)
    return intake.post_changes


async def _keys(sessions, key: str) -> list[OutboxRow]:
    return [row for row in await outbox_rows(sessions) if row.key == key]


async def test_an_edited_vk_comment_updates_the_card_and_tells_the_holder(
    client, sessions, people, service, changes
) -> None:
    assert (await send(client, event("wall_reply_new", NEW))).status == 200
    [row] = await incident_rows(sessions)
    curator, executor = people.people["curator"], people.people["roads_1"]
    await service.perform(row.id, curator, Route(("roads",), "Дороги", "ул. Ленина"))
    await service.perform(row.id, executor, Take())

    edit = {**NEW, "text": EDITED}
    for _ in range(2):  # VK resends until it hears "ok": the second changes nothing
        response = await send(client, event("wall_reply_edit", edit))
        assert response.status == 200 and await response.text() == "ok"

    assert (await service.get(row.id)).post.text == EDITED
    [told] = await _keys(sessions, "publication.post_edited")
    assert told.chat_id == people.telegram["roads_1"] and told.params["text"] == EDITED
    [stored] = await incident_rows(sessions)
    assert "post_edited" in stored.flags


async def test_a_deleted_vk_comment_marks_the_incident_and_asks_the_curators(
    client, sessions, people, service, changes
) -> None:
    await send(client, event("wall_reply_new", NEW))
    assert len(await incident_rows(sessions)) == 1
    cards_before = len(await _keys(sessions, "card"))
    deleted = {"owner_id": -VK_GROUP, "id": 45, "deleter_id": 12345, "post_id": 12}
    assert (await send(client, event("wall_reply_delete", deleted))).status == 200

    [stored] = await incident_rows(sessions)
    assert "post_deleted" in stored.flags
    asked = await _keys(sessions, "publication.post_deleted")
    assert {r.chat_id for r in asked} == {people.telegram["curator"], people.telegram["deputy"]}
    assert len(await _keys(sessions, "card")) > cards_before  # the card shows the mark

    await send(client, event("wall_reply_restore", {**NEW}))
    [stored] = await incident_rows(sessions)
    assert "post_deleted" not in stored.flags


async def test_a_change_of_a_post_that_is_no_incident_is_ok_and_ignored(
    client, sessions, changes
) -> None:
    response = await send(client, event("wall_reply_delete", {"id": 1, "post_id": 2}))
    assert response.status == 200 and await incident_rows(sessions) == []
    async with sessions() as session:
        assert (await session.scalars(select(OutboxRow))).all() == []


@pytest.mark.parametrize(
    ("event_type", "obj", "external_id", "kind"),
    [
        (
            "board_post_edit",
            {"topic_id": 5, "id": 45, "text": "x"},
            "board_post_new:777:5_45",
            ChangeKind.EDITED,
        ),
        (
            "board_post_delete",
            {"topic_id": 5, "id": 45},
            "board_post_new:777:5_45",
            ChangeKind.DELETED,
        ),
        (
            "photo_comment_restore",
            {"photo_id": 9, "id": 45},
            "photo_comment_new:777:9_45",
            ChangeKind.RESTORED,
        ),
        (
            "market_comment_delete",
            {"item_id": 8, "id": 45},
            "market_comment_new:777:8_45",
            ChangeKind.DELETED,
        ),
    ],
)
def test_topic_and_other_comment_changes_name_the_incidents_post(
    event_type: str, obj: dict[str, Any], external_id: str, kind: ChangeKind
) -> None:
    change = change_from_event(event_type, obj, VK_GROUP)
    assert change is not None
    assert (change.external_id, change.kind) == (external_id, kind)


def test_other_events_are_no_changes() -> None:
    assert change_from_event("wall_reply_new", NEW, VK_GROUP) is None
    assert change_from_event("wall_reply_delete", {"id": "x"}, VK_GROUP) is None
