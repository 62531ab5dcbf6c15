"""POST /api/v1/incidents opening, deduplicating and triaging incidents on a real server, both
databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import DuplicatePost
from tests.intake.api_helpers import post
from tests.intake.conftest import (
    MSK,
    START,
    counts,
    incident_rows,
    outbox_rows,
    payload,
)
from workflow.commands import CloseNoAnswer
from workflow.model import IncidentStatus, NoAnswerReason, Source


@pytest.mark.parametrize("source", [s.value for s in Source])
async def test_each_source_opens_one_incident_and_tells_the_curators(
    client, sessions, people, source
) -> None:
    body = payload(source=source, url=f"https://example.org/{source}/1", external_id=f"{source}-1")
    response = await post(client, body)
    assert response.status == 201, await response.text()
    data = await response.json()
    assert data["outcome"] == "created" and data["created"] is True
    assert response.headers["Location"] == f"/api/v1/incidents/{data['id']}"
    assert data["source"] == source and data["status"] == "new"
    # The answer clock runs from the detection time the source gave (п.9): 09:45 + 3 h.
    assert datetime.fromisoformat(data["detected_at"]) == datetime(2026, 4, 29, 9, 45, tzinfo=MSK)
    assert datetime.fromisoformat(data["answer_due_at"]) == datetime(
        2026, 4, 29, 12, 45, tzinfo=MSK
    )
    assert {d["kind"] for d in data["deadlines"]} == {"answer", "route"}

    [row] = await incident_rows(sessions)
    assert row.id == data["id"] and row.source is Source(source)
    assert row.external_id == f"{source}-1" and row.url == body["url"]
    assert row.author_name == "Иван Петров" and row.author_url == "https://vk.com/id12345"
    assert row.attachments == ["https://vk.com/photo12345_456239017"]
    assert row.published_at == datetime(2026, 4, 29, 6, 40, tzinfo=UTC)
    assert row.detected_at == datetime(2026, 4, 29, 6, 45, tzinfo=UTC)
    # The curators are told by the new card; no separate "incident.detected" repeats it.
    rows = await outbox_rows(sessions)
    cards = [r for r in rows if r.kind == "card"]
    assert {r.chat_id for r in cards} == {people.telegram["curator"], people.telegram["deputy"]}
    assert {r.incident_id for r in cards} == {row.id}
    assert [r for r in rows if r.kind == "message"] == []
    assert (await counts(sessions))["events"] == 1


async def test_detection_time_defaults_to_the_clock(client, sessions, clock) -> None:
    clock.advance(timedelta(minutes=7))
    response = await post(client, payload(detected_at=..., published_at=...))
    assert response.status == 201
    [row] = await incident_rows(sessions)
    assert row.detected_at == clock.now()


async def test_high_importance_gets_two_working_hours(client) -> None:
    response = await post(client, payload(importance="high", detected_at=...))
    data = await response.json()
    assert data["importance"] == "high"
    assert datetime.fromisoformat(data["answer_due_at"]) == START + timedelta(hours=2)  # п.17


async def test_same_external_id_twice_returns_the_same_incident(client, sessions) -> None:
    first = await post(client, payload())
    after_first = await counts(sessions)
    again = await post(client, payload(text="Другой текст того же поста", url="https://x.org/2"))
    assert (first.status, again.status) == (201, 200)
    data = await again.json()
    assert data["outcome"] == "existing" and data["created"] is False
    assert data["id"] == (await first.json())["id"]
    assert await counts(sessions) == after_first


async def test_same_url_without_external_id_returns_the_same_incident(client, sessions) -> None:
    first = await post(client, payload(external_id=None))
    again = await post(client, payload(external_id=None, text="Повтор", author_url=None))
    assert (first.status, again.status) == (201, 200)
    assert (await again.json())["id"] == (await first.json())["id"]
    assert (await counts(sessions))["incidents"] == 1


@pytest.mark.parametrize("external_id", ["mon-77", None])
async def test_concurrent_identical_posts_make_exactly_one_incident(
    client, sessions, external_id
) -> None:
    body = payload(external_id=external_id)
    responses = await asyncio.gather(*(post(client, body) for _ in range(8)))
    statuses = sorted(r.status for r in responses)
    assert statuses == [200] * 7 + [201]
    ids = {(await r.json())["id"] for r in responses}
    assert len(ids) == 1
    totals = await counts(sessions)
    assert totals["incidents"] == 1 and totals["events"] == 1 and totals["duplicates"] == 0
    assert len([r for r in await outbox_rows(sessions) if r.kind == "card"]) == 2


async def test_obscene_post_is_flagged_for_the_curator(client, sessions) -> None:
    response = await post(client, payload(text="Бля, когда уже починят эту дорогу?"))
    data = await response.json()
    assert data["flags"] == ["possible_p21", "obscene"]
    [row] = await incident_rows(sessions)
    assert row.flags == ["possible_p21", "obscene"]
    assert row.status is IncidentStatus.NEW  # flagged, not closed: the curator decides (п.21)


async def test_topic_and_organisations_are_suggested(client, sessions) -> None:
    await post(client, payload(text="Во дворе огромная яма, асфальт разбит"))
    [row] = await incident_rows(sessions)
    assert (row.suggested_topic, row.suggested_orgs, row.flags) == ("Дороги", ["roads"], [])
    assert row.topic is None  # only a suggestion: routing (п.10) sets the topic


async def test_topic_hint_is_used(client, sessions) -> None:
    await post(client, payload(text="Когда включат горячую воду?", topic_hint="ЖКХ"))
    [row] = await incident_rows(sessions)
    assert (row.suggested_topic, row.suggested_orgs) == ("ЖКХ", [])


async def test_near_identical_post_by_the_same_author_is_attached(client, sessions) -> None:
    first = await (await post(client, payload())).json()
    repeat = payload(
        url="https://vk.com/wall-777_13?reply=99",
        external_id="mon-2",
        text=payload()["text"].upper() + "!!!",
    )
    response = await post(client, repeat)
    assert response.status == 200
    data = await response.json()
    assert (data["outcome"], data["id"], data["duplicates"]) == ("duplicate", first["id"], 1)
    totals = await counts(sessions)
    assert (totals["incidents"], totals["duplicates"], totals["events"]) == (1, 1, 1)
    async with sessions() as session:
        [attached] = (await session.execute(select(DuplicatePost))).scalars().all()
    assert (attached.incident_id, attached.url, attached.external_id) == (
        first["id"],
        repeat["url"],
        "mon-2",
    )
    # VK or the monitor retrying the duplicate attaches nothing more.
    again = await post(client, repeat)
    assert (await again.json())["outcome"] == "duplicate"
    assert await counts(sessions) == totals


async def test_same_text_by_another_author_is_a_new_incident(client, sessions) -> None:
    await post(client, payload())
    other = payload(
        url="https://vk.com/wall-777_14", external_id="m3", author_url="https://vk.com/id9"
    )
    assert (await post(client, other)).status == 201
    assert (await counts(sessions))["duplicates"] == 0


async def test_same_text_after_a_day_is_a_new_incident(client, sessions, clock) -> None:
    await post(client, payload(detected_at=..., published_at=...))
    clock.advance(timedelta(hours=25))
    later = payload(
        url="https://vk.com/wall-777_15", external_id="m4", detected_at=..., published_at=...
    )
    assert (await post(client, later)).status == 201
    assert (await counts(sessions))["incidents"] == 2


async def test_same_text_after_the_incident_is_closed_is_a_new_incident(
    client, sessions, service, people
) -> None:
    first = await (await post(client, payload())).json()
    await service.perform(
        first["id"], people.people["curator"], CloseNoAnswer(reason=NoAnswerReason.OBSCENE)
    )
    again = payload(url="https://vk.com/wall-777_16", external_id="m5")
    response = await post(client, again)
    assert response.status == 201
    assert (await counts(sessions))["incidents"] == 2
