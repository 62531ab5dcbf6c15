"""The outcome of a command: deadline changes by diff, events and messages as plain JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from workflow.calendar import WorkingCalendar
from workflow.calendars import Calendars
from workflow.commands import (
    ConfirmPublication,
    Review,
    Route,
    SubmitDraft,
    Take,
    detect,
    route,
)
from workflow.effects import Actor, Addressee, AddresseeKind, Event
from workflow.model import DeadlineKind, DeadlineState, Importance, Media, MediaKind
from workflow.policy import Policy
from workflow.roles import Role

from .conftest import ANSWER_TEXT, CURATOR, POST, ROADS, ROADS_STAND_IN, msk

WHERE = {"topic": "Дороги", "location": "ул. Ленина"}


def full_flow(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0), importance=Importance.HIGH)
    flow.after(minutes=10).do(Route(("roads",), **WHERE), CURATOR)
    flow.after(minutes=5).do(Take(), ROADS)
    flow.after(minutes=5).do(
        SubmitDraft(ANSWER_TEXT, (Media(MediaKind.PHOTO, "AgAD", "Яма"),)), ROADS_STAND_IN
    )
    flow.after(minutes=5).do(Review(draft_id=1, approve=True), CURATOR)
    flow.after(minutes=5).do(ConfirmPublication(draft_id=1, url="https://vk.com/x"), ROADS)
    return flow


def test_detection_outcome_starts_the_answer_and_route_clocks():
    calendars = Calendars(WorkingCalendar.always())
    at = datetime(2026, 4, 27, 6, 0, tzinfo=UTC)

    outcome = detect(POST, at, Importance.NORMAL, 42, Policy(), calendars)

    assert outcome.previous is None
    assert outcome.incident.version == 1
    assert [d.kind for d in outcome.started_deadlines] == [DeadlineKind.ANSWER, DeadlineKind.ROUTE]
    assert outcome.stopped_deadlines == ()
    (event,) = outcome.events
    assert (event.incident_id, event.seq, event.command, event.actor) == (42, 1, "detect", None)
    assert outcome.messages[0].incident_id == 42


def test_outcome_diffs_deadlines_by_position(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0)).after(minutes=10)

    outcome = flow.do(route, CURATOR, org_codes=["roads"], **WHERE)

    assert outcome.previous is not None
    assert [d.kind for d in outcome.stopped_deadlines] == [DeadlineKind.ROUTE]
    assert outcome.stopped_deadlines[0].state is DeadlineState.MET
    assert [d.kind for d in outcome.started_deadlines] == [DeadlineKind.RESPOND, DeadlineKind.DRAFT]
    assert [index for index, _ in outcome.changed_deadlines] == [1, 2, 3]
    assert outcome.deadlines_ended_as(DeadlineState.MET) == outcome.stopped_deadlines
    # The old deadlines keep their positions: the tuple only grows.
    assert outcome.incident.deadlines[0] == outcome.previous.deadlines[0]


def test_every_event_and_message_is_plain_json(flow_at):
    flow = full_flow(flow_at)

    for event in flow.events:
        assert json.loads(json.dumps(event.payload())) == event.payload()
        again = Event.from_payload(
            event.incident_id, event.seq, event.at, event.command, event.payload()
        )
        assert again == event
    for outcome_message in flow.last.messages:
        json.dumps(outcome_message.params)
        json.dumps(outcome_message.to.to_json())
    assert [e.seq for e in flow.events] == list(range(1, len(flow.events) + 1))
    assert flow.events[3].args["media"] == [{"kind": "photo", "file_id": "AgAD", "caption": "Яма"}]


def test_actor_round_trips_through_json():
    actor = Actor(5, frozenset({Role.EXECUTOR, Role.RESPONSIBLE}), "roads", frozenset({7, 3}))

    assert Actor.from_json(json.loads(json.dumps(actor.to_json()))) == actor
    assert actor.acts_for(7) and actor.acts_for(5) and not actor.acts_for(8)
    assert not actor.is_curator and actor.is_executor_of("roads")


def test_addressees_are_roles_organisations_or_people():
    assert Addressee.curators().kind is AddresseeKind.ROLE
    assert Addressee.organisation("roads", Role.RESPONSIBLE).to_json() == {
        "kind": "organisation",
        "role": "responsible",
        "org_code": "roads",
        "person_id": None,
    }
    assert Addressee.person(3).person_id == 3


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        detect(
            POST,
            datetime(2026, 4, 27, 9, 0),
            Importance.NORMAL,
            1,
            Policy(),
            Calendars(WorkingCalendar.always()),
        )
