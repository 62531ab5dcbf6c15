"""The service: one command = one transaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.services.incidents import NotRegistered, StepRefused
from db.incident_store import IncidentStore
from db.models import DeadlineRow, EventRow, IncidentRow, OutboxRow
from tests.support.directory_seed import CHATS, mark_away
from workflow.commands import ConfirmPublication, Review, Route, SubmitDraft, Take
from workflow.errors import RefusalCode
from workflow.model import (
    DeadlineKind,
    DraftStatus,
    IncidentStatus,
    Media,
    MediaKind,
    Post,
    ReturnReason,
    Source,
)
from workflow.replay import replay

MSK = ZoneInfo("Europe/Moscow")
START = datetime(2026, 4, 29, 10, 0, tzinfo=MSK)  # Wednesday before the May holidays
POST = Post(Source.VK, "https://vk.com/wall-1_7", "Яма на дороге у школы № 3", external_id="7")
ANSWER = "Здравствуйте! Яму заделают до 5 мая."


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


async def _count(sessions, model) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar())


async def _outbox(sessions) -> list[OutboxRow]:
    async with sessions() as session:
        return list((await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars())


async def test_p9_detection_stores_incident_deadlines_event_and_curator_messages(
    service, sessions, people
) -> None:
    detected = await service.detect(POST)
    assert detected.created
    stored = await service.get(detected.incident.id)
    assert stored == detected.incident
    answer = next(d for d in stored.deadlines if d.kind is DeadlineKind.ANSWER)
    assert answer.due_at == datetime(2026, 4, 29, 13, 0, tzinfo=MSK)  # 3 working hours
    rows = await _outbox(sessions)
    curators = {people.telegram["curator"], people.telegram["deputy"]}
    messages = [row for row in rows if row.kind == "message"]
    cards = [row for row in rows if row.kind == "card"]
    # The new card tells the curators; no separate "incident.detected" notice repeats it.
    assert messages == []
    assert {row.chat_id for row in cards} == curators
    assert all(row.params["audience"] == "centre" for row in cards)
    assert await _count(sessions, EventRow) == 1


async def test_detection_is_idempotent_by_external_id_and_url(service, sessions, people) -> None:
    first = await service.detect(POST)
    again = await service.detect(POST)
    same_url = await service.detect(Post(Source.VK, POST.url, "другой текст"))
    assert not again.created and not same_url.created
    assert again.incident.id == same_url.incident.id == first.incident.id
    assert await _count(sessions, IncidentRow) == 1


async def test_whole_flow_persists_every_step_and_replays_from_the_log(
    service, sessions, people, clock
) -> None:
    incident_id = (await service.detect(POST)).incident.id
    curator, executor = people.people["curator"], people.people["roads_1"]
    clock.advance(timedelta(minutes=20))
    await service.perform(
        incident_id, curator, Route(org_codes=("roads",), topic="Дороги", location="ул. Ленина")
    )
    clock.advance(timedelta(minutes=5))
    await service.perform(incident_id, executor, Take())
    photo = Media(MediaKind.PHOTO, "AgACAgIAAxkBAAIB")
    outcome = await service.perform(incident_id, executor, SubmitDraft(text=ANSWER, media=(photo,)))
    draft_id = outcome.incident.drafts[-1].id
    await service.perform(
        incident_id,
        curator,
        Review(
            draft_id=draft_id,
            approve=False,
            reasons=(ReturnReason.SPELLING, ReturnReason.FORMAT),
            comment="Добавьте срок",
        ),
    )
    outcome = await service.perform(
        incident_id, executor, SubmitDraft(text=ANSWER + " Срок — 5 мая.")
    )
    second = outcome.incident.drafts[-1].id
    await service.perform(incident_id, curator, Review(draft_id=second, approve=True))
    final = await service.perform(
        incident_id, executor, ConfirmPublication(draft_id=second, url=POST.url + "?reply=1")
    )

    stored = await service.get(incident_id)
    assert stored == final.incident
    assert stored.status is IncidentStatus.ANSWERED
    assert [d.status for d in stored.drafts] == [DraftStatus.RETURNED, DraftStatus.PUBLISHED]
    assert stored.drafts[0].media == (photo,)
    assert stored.drafts[0].reviews[0].reasons == (ReturnReason.SPELLING, ReturnReason.FORMAT)
    assert not any(d.running for d in stored.deadlines)
    events = await service.events(incident_id)
    assert [e.seq for e in events] == list(range(1, stored.version + 1))
    assert replay(events, service.policy, await service.calendars()) == stored
    async with sessions() as session:
        rows = (await session.execute(select(DeadlineRow))).scalars().all()
    assert len(rows) == len(stored.deadlines)
    outbox = await _outbox(sessions)
    assert CHATS["roads"] in {row.chat_id for row in outbox if row.kind == "card"}
    assert CHATS["roads"] in {row.chat_id for row in outbox if row.kind == "message"}


async def test_refused_command_writes_nothing(service, sessions, people) -> None:
    incident_id = (await service.detect(POST)).incident.id
    before = [await _count(sessions, m) for m in (EventRow, OutboxRow, DeadlineRow)]
    with pytest.raises(StepRefused) as refused:
        await service.perform(
            incident_id,
            people.people["roads_1"],
            Route(org_codes=("roads",), topic="x", location="y"),
        )
    assert refused.value.code is RefusalCode.NOT_ALLOWED
    assert [await _count(sessions, m) for m in (EventRow, OutboxRow, DeadlineRow)] == before
    assert (await service.get(incident_id)).version == 1


async def test_perform_takes_a_command_object_not_a_name(service, sessions, people) -> None:
    """Commands travel as typed values; a name with loose arguments is not a command."""
    incident_id = (await service.detect(POST)).incident.id
    before = [await _count(sessions, m) for m in (EventRow, OutboxRow, DeadlineRow)]
    with pytest.raises(TypeError, match="not a workflow command"):
        await service.perform(incident_id, people.people["curator"], "take")  # type: ignore[arg-type]
    assert [await _count(sessions, m) for m in (EventRow, OutboxRow, DeadlineRow)] == before


async def test_unknown_person_is_not_registered(service, people) -> None:
    incident_id = (await service.detect(POST)).incident.id
    with pytest.raises(NotRegistered):
        await service.perform(incident_id, 987654, Take())


async def test_p8_stand_in_acts_for_an_absent_executor(service, sessions, people, clock) -> None:
    incident_id = (await service.detect(POST)).incident.id
    curator, holder = people.people["curator"], people.people["roads_1"]
    await service.perform(
        incident_id, curator, Route(org_codes=("roads",), topic="Дороги", location="центр")
    )
    await service.perform(incident_id, holder, Take())
    async with sessions() as session, session.begin():
        await mark_away(session, holder, clock.now(), None)
    outcome = await service.perform(incident_id, people.people["roads_2"], SubmitDraft(text=ANSWER))
    assert outcome.incident.drafts[-1].author_id == people.people["roads_2"]


async def _ready_for_review(service, people) -> tuple[int, int]:
    incident_id = (await service.detect(POST)).incident.id
    await service.perform(
        incident_id,
        people.people["curator"],
        Route(org_codes=("roads",), topic="Дороги", location="центр"),
    )
    outcome = await service.perform(incident_id, people.people["roads_1"], SubmitDraft(text=ANSWER))
    return incident_id, outcome.incident.drafts[-1].id


async def test_two_simultaneous_reviews_exactly_one_applied(service, sessions, people) -> None:
    incident_id, draft_id = await _ready_for_review(service, people)
    version = (await service.get(incident_id)).version
    results = await asyncio.gather(
        service.perform(
            incident_id, people.people["curator"], Review(draft_id=draft_id, approve=True)
        ),
        service.perform(
            incident_id,
            people.people["deputy"],
            Review(draft_id=draft_id, approve=False, reasons=(ReturnReason.SPELLING,)),
        ),
        return_exceptions=True,
    )
    applied = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, StepRefused)]
    assert len(applied) == 1 and len(refused) == 1, results
    assert refused[0].last_event is not None and refused[0].last_event.command == "review"
    assert refused[0].last_event.actor_id in {people.people["curator"], people.people["deputy"]}
    stored = await service.get(incident_id)
    assert stored.version == version + 1
    assert len(stored.drafts[-1].reviews) == 1
    async with sessions() as session:
        reviews = await session.execute(
            select(func.count()).select_from(EventRow).where(EventRow.kind == "review")
        )
    assert reviews.scalar() == 1


async def test_many_simultaneous_takes_one_holder(service, people) -> None:
    incident_id = (await service.detect(POST)).incident.id
    await service.perform(
        incident_id,
        people.people["curator"],
        Route(org_codes=("roads",), topic="Дороги", location="центр"),
    )
    results = await asyncio.gather(
        *(service.perform(incident_id, people.people[k], Take()) for k in ("roads_1", "roads_2")),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    refused = next(r for r in results if isinstance(r, StepRefused))
    assert refused.code is RefusalCode.ALREADY_TAKEN
    assert len((await service.get(incident_id)).assignments) == 1


async def test_store_round_trip_keeps_every_field(service, sessions, people) -> None:
    incident_id, _ = await _ready_for_review(service, people)
    async with sessions() as session:
        first = await IncidentStore(session).get(incident_id)
    async with sessions() as session:
        second = await IncidentStore(session).get(incident_id)
    assert first == second == await service.get(incident_id)


async def test_a_press_redraws_the_pressing_chats_card_first(service, sessions, people) -> None:
    """The card in the chat where the curator pressed jumps its chat's queue (Priority.REPLY);
    the other chats showing the incident get theirs as cards that need action."""
    incident_id = (await service.detect(POST)).incident.id
    pressed_in = people.telegram["curator"]
    before = len(await _outbox(sessions))
    await service.perform(
        incident_id,
        people.people["curator"],
        Route(org_codes=("roads",), topic="Дороги", location="ул. Ленина"),
        reply_chat=pressed_in,
    )
    cards = {
        row.chat_id: row.priority
        for row in (await _outbox(sessions))[before:]
        if row.kind == "card"
    }
    assert cards.pop(pressed_in) == 0
    assert cards and set(cards.values()) == {1}


async def test_incident_command_keeps_the_curators_own_card_buttons(
    service, sessions, people
) -> None:
    """`/incident N` in a chat that shows the card redraws it with that chat's own buttons;
    anywhere else (a manager) the card is read-only."""
    incident_id = (await service.detect(POST)).incident.id
    before = len(await _outbox(sessions))
    await service.show_card(incident_id, people.telegram["curator"])
    await service.show_card(incident_id, people.telegram["manager"])
    audiences = {row.chat_id: row.params["audience"] for row in (await _outbox(sessions))[before:]}
    assert audiences == {
        people.telegram["curator"]: "centre",
        people.telegram["manager"]: "viewer",
    }
