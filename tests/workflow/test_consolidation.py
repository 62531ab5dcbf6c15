"""п.19: several organisations at once, their information, one consolidated answer."""

from __future__ import annotations

from workflow.commands import (
    confirm_publication,
    decline,
    pick_consolidator,
    reroute,
    review,
    route,
    submit_draft,
)
from workflow.errors import RefusalCode
from workflow.model import (
    AssignmentStatus,
    DeadlineKind,
    DeadlineState,
    DraftKind,
    DraftStatus,
    IncidentStatus,
)

from .conftest import ANSWER_TEXT, CURATOR, PARKS, ROADS, WATER, msk, nsk

WHERE = {"topic": "Благоустройство", "location": "ул. Ленина"}
URL = "https://vk.com/wall-1_100?reply=9"


ON_TIME = msk(2026, 4, 27, 11, 20)


def routed_to_two(flow_at, at=ON_TIME):
    flow = flow_at(msk(2026, 4, 27, 11, 0))
    outcome = flow.at(at).do(route, CURATOR, org_codes=["roads", "parks"], **WHERE)
    return flow, outcome


def test_p19_several_organisations_routed_at_once_information_capped_by_the_answer(flow_at):
    flow, outcome = routed_to_two(flow_at)

    assert flow.incident.consolidated
    assert [a.org_code for a in flow.incident.assignments] == ["roads", "parks"]
    assert all(a.received_at == flow.now for a in flow.incident.assignments)
    route_deadline = flow.deadline(DeadlineKind.ROUTE, state=DeadlineState.MET)
    assert route_deadline.due_at == msk(2026, 4, 27, 11, 30)  # п.19: 30 minutes, not п.10's hour
    assert outcome.events[0].facts["p19_route_missed"] is False
    # Two working hours each (14:20 / 17:20 local), capped so that the consolidated draft,
    # due at 14:30 (answer 15:00 less п.12's 30 min), still has its 30 minutes: 14:00 MSK,
    # and on Novosibirsk's calendar 1 working hour before 19:00 NSK is 17:00.
    assert flow.deadline(DeadlineKind.INFO, "parks").due_at == msk(2026, 4, 27, 14, 0)
    assert flow.deadline(DeadlineKind.INFO, "roads").due_at == nsk(2026, 4, 27, 17, 0)
    assert not flow.deadlines(DeadlineKind.DRAFT)
    assert {m.to.org_code for m in outcome.messages} == {"roads", "parks"}
    assert all(m.params["consolidated"] for m in outcome.messages)


def test_p19_routing_several_after_30_min_records_the_miss(flow_at):
    flow, outcome = routed_to_two(flow_at, at=msk(2026, 4, 27, 11, 45))

    assert outcome.events[0].facts["p19_route_missed"] is True
    route_deadline = flow.deadline(DeadlineKind.ROUTE, state=DeadlineState.MET)
    assert route_deadline.due_at == msk(2026, 4, 27, 11, 30)
    assert route_deadline.ended_at == msk(2026, 4, 27, 11, 45)
    assert flow.calendars.lateness(route_deadline, route_deadline.ended_at).total_seconds() == 900


def test_p19_consolidator_picked_once_information_is_in_drafts_within_the_answer_deadline(flow_at):
    flow, _ = routed_to_two(flow_at)
    flow.after(minutes=5).refused(
        submit_draft,
        ROADS,
        RefusalCode.CONSOLIDATOR_NOT_PICKED,
        kind=DraftKind.ANSWER,
        text=ANSWER_TEXT,
    )
    # Nobody's information is in yet: nothing to consolidate, so no choice yet.
    error = flow.refused(pick_consolidator, CURATOR, RefusalCode.INFO_PENDING, org_code="parks")
    assert error.params["org_codes"] == ["parks", "roads"]
    outcome = flow.do(submit_draft, PARKS, kind=DraftKind.INFO, text="Сквер убираем по четвергам")
    assert outcome.events[0].facts["all_info_in"] is False
    assert flow.incident.drafts[0].status is DraftStatus.ACCEPTED
    assert flow.deadline(DeadlineKind.INFO, "parks", DeadlineState.MET)

    outcome = flow.after(minutes=30).do(
        submit_draft, ROADS, kind=DraftKind.INFO, text="Ремонт в мае"
    )
    assert outcome.events[0].facts["all_info_in"] is True
    flow.refused(pick_consolidator, ROADS, RefusalCode.NOT_ALLOWED, org_code="roads")
    flow.after(minutes=5).do(pick_consolidator, CURATOR, org_code="roads")
    flow.refused(
        pick_consolidator, CURATOR, RefusalCode.CONSOLIDATOR_ALREADY_PICKED, org_code="parks"
    )

    roads = next(a for a in flow.incident.assignments if a.org_code == "roads")
    assert roads.consolidator and roads.status is AssignmentStatus.TAKEN
    # Answer due 15:00 Moscow = 19:00 Novosibirsk: the draft 30 working minutes before, 17:30.
    assert flow.deadline(DeadlineKind.ANSWER).due_at == msk(2026, 4, 27, 15, 0)
    assert flow.deadline(DeadlineKind.DRAFT, "roads").due_at == nsk(2026, 4, 27, 17, 30)
    flow.refused(
        submit_draft, PARKS, RefusalCode.NOT_CONSOLIDATOR, kind=DraftKind.ANSWER, text=ANSWER_TEXT
    )

    flow.after(minutes=5).do(submit_draft, ROADS, kind=DraftKind.ANSWER, text=ANSWER_TEXT)
    answer_id = flow.draft_id()
    flow.after(minutes=5).do(review, CURATOR, draft_id=answer_id, approve=True)
    flow.after(minutes=5).do(confirm_publication, ROADS, draft_id=answer_id, url=URL)

    assert flow.incident.status is IncidentStatus.ANSWERED
    assert {a.status for a in flow.incident.assignments} == {AssignmentStatus.DONE}
    assert not [d for d in flow.incident.deadlines if d.running]


def test_p19_an_organisation_that_declines_is_replaced_or_dropped(flow_at):
    flow, _ = routed_to_two(flow_at)
    flow.after(minutes=5).do(decline, PARKS, comment="Сквер не наш")
    assert flow.deadline(DeadlineKind.INFO, "parks", DeadlineState.CANCELLED)

    flow.refused(reroute, CURATOR, RefusalCode.ALREADY_ASSIGNED, org_codes=["roads"])
    flow.after(minutes=5).do(reroute, CURATOR, org_codes=["water"])
    assert flow.incident.consolidated
    assert flow.deadline(DeadlineKind.INFO, "water").running
    flow.after(minutes=5).do(decline, WATER, comment="И не наш")
    # The curator may decide that the remaining organisation suffices.
    flow.after(minutes=5).do(reroute, CURATOR, org_codes=[])
    flow.after(minutes=5).do(submit_draft, ROADS, kind=DraftKind.INFO, text="Ремонт в мае")
    flow.after(minutes=5).do(pick_consolidator, CURATOR, org_code="roads")
    assert flow.deadline(DeadlineKind.DRAFT, "roads").running


def test_p19_information_is_for_consolidated_incidents_only(flow_at):
    flow = flow_at(msk(2026, 4, 27, 11, 0)).after(minutes=10)
    flow.do(route, CURATOR, org_codes=["parks"], **WHERE)

    flow.refused(submit_draft, PARKS, RefusalCode.WRONG_STATE, kind=DraftKind.INFO, text="Инфо")
    flow.refused(pick_consolidator, CURATOR, RefusalCode.WRONG_STATE, org_code="parks")
