"""Routing to one organisation (п.10) and its clocks on the organisation's calendar."""

from __future__ import annotations

from workflow.commands import route
from workflow.effects import Addressee
from workflow.errors import RefusalCode
from workflow.model import AssignmentStatus, DeadlineKind, DeadlineState, IncidentStatus, Party

from .conftest import CURATOR, DEPUTY, ROADS, STRANGER, msk, nsk

WHERE = {"topic": "Дороги", "location": "ул. Ленина"}


def test_p10_route_needs_topic_and_location(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0)).after(minutes=10)

    flow.refused(
        route, CURATOR, RefusalCode.MISSING_TOPIC, org_codes=["roads"], topic=" ", location="Ленина"
    )
    flow.refused(
        route,
        CURATOR,
        RefusalCode.MISSING_LOCATION,
        org_codes=["roads"],
        topic="Дороги",
        location="",
    )
    flow.refused(route, CURATOR, RefusalCode.NO_ORGANISATIONS, org_codes=[" "], **WHERE)
    flow.refused(route, CURATOR, RefusalCode.UNKNOWN_ORGANISATION, org_codes=["zoo"], **WHERE)
    flow.refused(route, ROADS, RefusalCode.NOT_ALLOWED, org_codes=["roads"], **WHERE)
    flow.refused(route, STRANGER, RefusalCode.NOT_ALLOWED, org_codes=["roads"], **WHERE)


def test_p10_route_to_one_organisation_starts_its_clocks_on_its_calendar(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))  # 13:00 in Novosibirsk: lunch there

    outcome = flow.at(msk(2026, 4, 27, 9, 20)).do(route, CURATOR, org_codes=["roads"], **WHERE)

    incident = flow.incident
    assert incident.status is IncidentStatus.IN_WORK
    assert (incident.topic, incident.location) == ("Дороги", "ул. Ленина")
    (assignment,) = incident.assignments
    assert assignment.status is AssignmentStatus.SENT
    assert assignment.received_at == msk(2026, 4, 27, 9, 20)
    route_deadline = flow.deadline(DeadlineKind.ROUTE, state=DeadlineState.MET)
    assert route_deadline.ended_at == msk(2026, 4, 27, 9, 20)
    respond = flow.deadline(DeadlineKind.RESPOND, "roads")
    assert respond.party is Party.ORGANISATION
    assert respond.due_at == nsk(2026, 4, 27, 14, 30)  # 30 min after lunch in Novosibirsk
    # п.12: answer due 12:00 Moscow = 16:00 Novosibirsk, the draft 30 working minutes before.
    assert flow.deadline(DeadlineKind.DRAFT, "roads").due_at == nsk(2026, 4, 27, 15, 30)
    assert [d.kind for d in outcome.started_deadlines] == [DeadlineKind.RESPOND, DeadlineKind.DRAFT]
    assert [d.kind for d in outcome.stopped_deadlines] == [DeadlineKind.ROUTE]
    (message,) = outcome.messages
    assert message.to == Addressee.organisation("roads")
    assert message.key == "incident.routed"
    assert message.params["topic"] == "Дороги"


def test_p10_organisation_without_own_calendar_uses_the_centre_calendar(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))

    flow.at(msk(2026, 4, 27, 9, 20)).do(route, DEPUTY, org_codes=["parks"], **WHERE)

    assert flow.deadline(DeadlineKind.RESPOND, "parks").due_at == msk(2026, 4, 27, 9, 50)
    assert flow.deadline(DeadlineKind.DRAFT, "parks").due_at == msk(2026, 4, 27, 11, 30)


def test_p10_routing_after_the_hour_is_allowed_and_recorded_late(flow_at):
    flow = flow_at(msk(2026, 4, 24, 17, 30))  # route due Monday 09:30

    outcome = flow.at(msk(2026, 4, 27, 10, 0)).do(route, CURATOR, org_codes=["parks"], **WHERE)

    route_deadline = flow.deadline(DeadlineKind.ROUTE, state=DeadlineState.MET)
    assert route_deadline.due_at == msk(2026, 4, 27, 9, 30)
    assert route_deadline.ended_at > route_deadline.due_at
    assert outcome.events[0].facts["route_late"] is True
    assert flow.calendars.lateness(route_deadline, route_deadline.ended_at).total_seconds() == 1800


def test_p10_an_incident_is_routed_once(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0)).after(minutes=10)
    flow.do(route, CURATOR, org_codes=["parks"], **WHERE)

    flow.refused(route, CURATOR, RefusalCode.WRONG_STATE, org_codes=["roads"], **WHERE)
