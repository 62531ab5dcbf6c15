"""VK Callback API: payloads in VK's documented format (API 5.199) into incidents."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.intake.vk import Ignored, UnusableEvent, attachment_urls, post_from_event
from tests.intake.conftest import (
    VK_CONFIRMATION,
    VK_GROUP,
    VK_SECRET,
    counts,
    incident_rows,
    outbox_rows,
)
from workflow.model import Source

NOTHING = {"incidents": 0, "events": 0, "outbox": 0, "duplicates": 0}
DATE = 1777442400  # 2026-04-29 06:00:00 UTC, 09:00 in Moscow
USER = 12345


def event(event_type: str, obj: dict[str, Any] | None, **envelope: Any) -> dict[str, Any]:
    body = {
        "type": event_type,
        "object": obj,
        "group_id": VK_GROUP,
        "event_id": f"{event_type[:6]}-0a1b2c3d",
        "v": "5.199",
        "secret": VK_SECRET,
    }
    body.update(envelope)
    return {key: value for key, value in body.items() if value is not ...}


PHOTO = {
    "type": "photo",
    "photo": {
        "id": 456239017,
        "owner_id": USER,
        "sizes": [{"type": "x", "url": "https://sun9-1.userapi.com/x.jpg", "width": 604}],
    },
}


def comment(**extra: Any) -> dict[str, Any]:
    return {
        "id": 45,
        "from_id": USER,
        "date": DATE,
        "text": "Когда отремонтируют дорогу на улице Ленина?",
        "attachments": [PHOTO],
        **extra,
    }


# type, object, expected URL, expected external id
EVENTS = [
    (
        "wall_reply_new",
        comment(post_id=12, owner_id=-VK_GROUP, post_owner_id=-VK_GROUP, parents_stack=[]),
        f"https://vk.com/wall-{VK_GROUP}_12?reply=45",
        f"wall_reply_new:{VK_GROUP}:12_45",
    ),
    (
        "wall_post_new",
        {
            "id": 31,
            "owner_id": -VK_GROUP,
            "from_id": USER,
            "date": DATE,
            "post_type": "suggest",
            "text": "Предлагаю новость: на улице Ленина яма",
            "attachments": [PHOTO],
        },
        f"https://vk.com/wall-{VK_GROUP}_31",
        f"wall_post_new:{VK_GROUP}:31",
    ),
    (
        "board_post_new",
        comment(topic_id=5, topic_owner_id=-VK_GROUP),
        f"https://vk.com/topic-{VK_GROUP}_5?post=45",
        f"board_post_new:{VK_GROUP}:5_45",
    ),
    (
        "photo_comment_new",
        comment(photo_id=457239018, photo_owner_id=-VK_GROUP),
        f"https://vk.com/photo-{VK_GROUP}_457239018?reply=45",
        f"photo_comment_new:{VK_GROUP}:457239018_45",
    ),
    (
        "video_comment_new",
        comment(video_id=456239020, video_owner_id=-VK_GROUP),
        f"https://vk.com/video-{VK_GROUP}_456239020?reply=45",
        f"video_comment_new:{VK_GROUP}:456239020_45",
    ),
    (
        "market_comment_new",
        comment(item_id=8, market_owner_id=-VK_GROUP),
        f"https://vk.com/product-{VK_GROUP}_8?reply=45",
        f"market_comment_new:{VK_GROUP}:8_45",
    ),
    (
        "message_new",
        {
            "message": {
                "date": DATE,
                "from_id": USER,
                "id": 301,
                "out": 0,
                "peer_id": USER,
                "text": "Здравствуйте! Когда починят дорогу?",
                "conversation_message_id": 17,
                "attachments": [PHOTO],
                "fwd_messages": [],
                "important": False,
                "is_hidden": False,
            },
            "client_info": {
                "button_actions": ["text"],
                "keyboard": True,
                "inline_keyboard": True,
                "carousel": True,
                "lang_id": 0,
            },
        },
        f"https://vk.com/gim{VK_GROUP}?sel={USER}&msgid=301",
        f"message_new:{VK_GROUP}:{USER}_301",
    ),
]


async def send(client, body: Any):
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return await client.post(
        "/vk/callback", data=data, headers={"Content-Type": "application/json"}
    )


async def test_confirmation_answers_the_configured_string(client, sessions) -> None:
    response = await send(client, {"type": "confirmation", "group_id": VK_GROUP})
    assert response.status == 200
    assert response.content_type == "text/plain"
    assert await response.text() == VK_CONFIRMATION
    with_secret = await send(client, event("confirmation", ...))
    assert await with_secret.text() == VK_CONFIRMATION
    assert await counts(sessions) == NOTHING


async def test_confirmation_for_another_group_is_refused(client, caplog) -> None:
    response = await send(client, {"type": "confirmation", "group_id": VK_GROUP + 1})
    assert response.status == 403
    assert await response.text() != VK_CONFIRMATION
    assert "intake refused POST /vk/callback" in caplog.text


async def test_confirmation_with_a_wrong_secret_is_refused(client) -> None:
    response = await send(client, event("confirmation", ..., secret="nope"))
    assert response.status == 403


@pytest.mark.parametrize(("event_type", "obj", "url", "external_id"), EVENTS)
async def test_each_event_type_opens_one_incident(
    client, sessions, people, event_type, obj, url, external_id
) -> None:
    response = await send(client, event(event_type, obj))
    assert response.status == 200
    assert await response.text() == "ok"
    [row] = await incident_rows(sessions)
    assert (row.source, row.url, row.external_id) == (Source.VK, url, external_id)
    assert row.author_url == f"https://vk.com/id{USER}"
    assert row.text and row.attachments == [f"https://vk.com/photo{USER}_456239017"]
    # The detection time is the event's date, as VK reports it.
    assert row.detected_at == row.published_at == datetime.fromtimestamp(DATE, UTC)
    # The curators are told by the new card; no separate "incident.detected" repeats it.
    rows = await outbox_rows(sessions)
    cards = [r for r in rows if r.kind == "card"]
    assert {r.chat_id for r in cards} == {people.telegram["curator"], people.telegram["deputy"]}
    assert {r.incident_id for r in cards} == {row.id}
    assert [r for r in rows if r.kind == "message"] == []


@pytest.mark.parametrize(("event_type", "obj", "url", "external_id"), EVENTS)
async def test_vk_retries_are_answered_ok_and_stored_once(
    client, sessions, people, event_type, obj, url, external_id
) -> None:
    body = event(event_type, obj)
    first = await send(client, body)
    after_first = await counts(sessions)
    replies = [first, await send(client, body), await send(client, body)]
    assert [r.status for r in replies] == [200, 200, 200]
    assert [await r.text() for r in replies] == ["ok", "ok", "ok"]
    assert await counts(sessions) == after_first
    assert after_first["incidents"] == 1 and after_first["duplicates"] == 0


async def test_simultaneous_retries_store_one_incident(client, sessions, people) -> None:
    body = event(*EVENTS[0][:2])
    replies = await asyncio.gather(*(send(client, body) for _ in range(5)))
    assert {r.status for r in replies} == {200}
    totals = await counts(sessions)
    assert totals["incidents"] == 1 and totals["events"] == 1


async def test_event_without_date_is_detected_now(client, sessions, clock) -> None:
    obj = comment(post_id=12, post_owner_id=-VK_GROUP)
    del obj["date"]
    assert (await send(client, event("wall_reply_new", obj))).status == 200
    [row] = await incident_rows(sessions)
    assert row.detected_at == clock.now() and row.published_at is None


async def test_event_dated_in_the_future_is_detected_now(client, sessions, clock) -> None:
    future = int((clock.now() + timedelta(hours=1)).timestamp())
    obj = comment(post_id=12, post_owner_id=-VK_GROUP, date=future)
    assert (await send(client, event("wall_reply_new", obj))).status == 200
    [row] = await incident_rows(sessions)
    assert row.detected_at == clock.now()


@pytest.mark.parametrize("secret", ["wrong-secret", "", ...])
async def test_wrong_or_missing_secret_is_refused_and_not_logged(
    client, sessions, caplog, secret
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await send(client, event(*EVENTS[0][:2], secret=secret))
    assert response.status == 403
    assert await response.text() == "forbidden"
    assert await counts(sessions) == NOTHING
    assert "intake refused POST /vk/callback" in caplog.text
    assert VK_SECRET not in caplog.text and "wrong-secret" not in caplog.text


async def test_event_for_another_group_is_refused(client, sessions) -> None:
    response = await send(client, event(*EVENTS[0][:2], group_id=VK_GROUP + 1))
    assert response.status == 403
    assert await counts(sessions) == NOTHING


@pytest.mark.parametrize(
    "body",
    [b"{", b"[]", b"", json.dumps({"type": "wall_reply_new"}).encode(), b'{"group_id": "x"}'],
)
async def test_malformed_body_is_400(client, sessions, body) -> None:
    response = await send(client, body)
    assert response.status == 400
    assert await counts(sessions) == NOTHING


async def test_unknown_event_types_are_ok_and_ignored(client, sessions, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.intake.vk")
    for kind, obj in [
        ("group_join", {"user_id": USER, "join_type": "join"}),
        ("wall_reply_edit", comment(post_id=12)),
        ("like_add", {"liker_id": USER, "object_type": "post", "object_id": 1}),
    ]:
        response = await send(client, event(kind, obj))
        assert (response.status, await response.text()) == (200, "ok")
    assert await counts(sessions) == NOTHING
    assert "group_join" in caplog.text and "not handled" in caplog.text


@pytest.mark.parametrize(
    ("event_type", "obj"),
    [
        ("wall_reply_new", comment(post_id=12, from_id=-VK_GROUP)),  # our own answer
        (
            "wall_post_new",
            {"id": 40, "owner_id": -VK_GROUP, "from_id": -VK_GROUP, "text": "Новость"},
        ),
        (
            "wall_post_new",
            {"id": 41, "owner_id": -VK_GROUP, "from_id": USER, "post_type": "postpone"},
        ),
        (
            "message_new",
            {"message": {"id": 0, "from_id": USER, "peer_id": 2000000001, "text": "в беседе"}},
        ),
        ("message_new", {"message": {"id": 5, "from_id": USER, "peer_id": USER, "out": 1}}),
    ],
)
async def test_the_communitys_own_posts_and_chats_are_ignored(
    client, sessions, event_type, obj
) -> None:
    response = await send(client, event(event_type, obj))
    assert (response.status, await response.text()) == (200, "ok")
    assert await counts(sessions) == NOTHING


async def test_unusable_event_is_ok_and_logged(client, sessions, caplog) -> None:
    obj = comment()  # wall_reply_new without post_id
    response = await send(client, event("wall_reply_new", obj))
    assert (response.status, await response.text()) == (200, "ok")
    assert await counts(sessions) == NOTHING
    assert "unusable" in caplog.text and "post_id" in caplog.text


async def test_duplicate_comment_by_the_same_user_is_attached(client, sessions) -> None:
    first = comment(post_id=12, post_owner_id=-VK_GROUP)
    second = comment(id=46, post_id=13, post_owner_id=-VK_GROUP, text=first["text"] + "!!")
    await send(client, event("wall_reply_new", first))
    await send(client, event("wall_reply_new", second))
    totals = await counts(sessions)
    assert (totals["incidents"], totals["duplicates"]) == (1, 1)


# --- the conversion itself (pure) ---------------------------------------------------------------


def test_reply_in_a_thread_links_the_thread() -> None:
    obj = comment(post_id=12, post_owner_id=-VK_GROUP, parents_stack=[40])
    found = post_from_event("wall_reply_new", obj, VK_GROUP)
    assert not isinstance(found, Ignored)
    assert found.post.url == f"https://vk.com/wall-{VK_GROUP}_12?reply=45&thread=40"


def test_message_in_the_old_format_is_accepted() -> None:
    obj = {"id": 7, "date": DATE, "from_id": USER, "peer_id": USER, "text": "Привет"}
    found = post_from_event("message_new", obj, VK_GROUP)
    assert not isinstance(found, Ignored)
    assert found.post.external_id == f"message_new:{VK_GROUP}:{USER}_7"


def test_plain_wall_post_by_a_citizen_is_an_incident() -> None:
    obj = {"id": 9, "owner_id": -VK_GROUP, "from_id": USER, "post_type": "post", "text": "Яма"}
    found = post_from_event("wall_post_new", obj, VK_GROUP)
    assert not isinstance(found, Ignored)
    assert found.post.url == f"https://vk.com/wall-{VK_GROUP}_9"
    assert found.detected_at is None


def test_comment_by_another_community_links_its_page() -> None:
    obj = comment(post_id=12, from_id=-555)
    found = post_from_event("wall_reply_new", obj, VK_GROUP)
    assert not isinstance(found, Ignored)
    assert found.post.author_url == "https://vk.com/club555"


@pytest.mark.parametrize(
    "obj", [None, {"from_id": "x"}, {"from_id": USER}, {"from_id": USER, "id": 1, "text": 5}]
)
def test_malformed_objects_are_unusable(obj) -> None:
    with pytest.raises(UnusableEvent):
        post_from_event("photo_comment_new", obj, VK_GROUP)


def test_attachments_become_links() -> None:
    items = [
        PHOTO,
        {"type": "video", "video": {"id": 3, "owner_id": -VK_GROUP}},
        {"type": "doc", "doc": {"id": 4, "owner_id": USER, "url": "https://vk.com/doc..."}},
        {"type": "link", "link": {"url": "https://gosuslugi.ru/x"}},
        {"type": "link", "link": {"url": "javascript:alert(1)"}},
        {"type": "sticker", "sticker": {"sticker_id": 1}},
        {"type": "audio"},
        "garbage",
        PHOTO,
    ]
    assert attachment_urls(items) == (
        f"https://vk.com/photo{USER}_456239017",
        f"https://vk.com/video-{VK_GROUP}_3",
        f"https://vk.com/doc{USER}_4",
        "https://gosuslugi.ru/x",
    )
    assert attachment_urls(None) == () and attachment_urls("x") == ()


async def test_oversized_body_is_413_as_text(client, sessions, config) -> None:
    obj = comment(post_id=12, text="а" * config.max_body_bytes)
    response = await send(client, event("wall_reply_new", obj))
    assert response.status == 413 and response.content_type == "text/plain"
    assert await counts(sessions) == NOTHING
