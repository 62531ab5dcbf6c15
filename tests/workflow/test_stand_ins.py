"""п.8: executors and their stand-ins; whoever takes the incident holds it."""

from __future__ import annotations

from workflow.commands import confirm_publication, review, route, submit_draft, take
from workflow.effects import Actor
from workflow.errors import RefusalCode
from workflow.model import AssignmentStatus, DeadlineKind, DeadlineState, DraftKind
from workflow.roles import Role

from .conftest import (
    ANSWER_TEXT,
    CURATOR,
    DEPUTY,
    PARKS,
    ROADS,
    ROADS_2,
    ROADS_STAND_IN,
    STRANGER,
    msk,
)

WHERE = {"topic": "Дороги", "location": "ул. Ленина"}


def routed_to_roads(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))
    flow.after(minutes=10).do(route, DEPUTY, org_codes=["roads"], **WHERE)
    return flow.after(minutes=5)


def test_p8_first_executor_to_take_holds_it_others_are_told_who(flow_at):
    flow = routed_to_roads(flow_at)
    flow.refused(take, STRANGER, RefusalCode.NOT_ALLOWED, org_code="roads")
    flow.refused(take, PARKS, RefusalCode.NOT_ASSIGNED)

    outcome = flow.do(take, ROADS)

    (assignment,) = flow.incident.assignments
    assert (assignment.status, assignment.holder_id) == (AssignmentStatus.TAKEN, ROADS.person_id)
    assert flow.deadline(DeadlineKind.RESPOND, "roads", DeadlineState.MET)
    assert outcome.messages[0].key == "incident.taken"
    error = flow.refused(take, ROADS_2, RefusalCode.ALREADY_TAKEN)
    assert error.holder_id == ROADS.person_id
    flow.refused(take, ROADS, RefusalCode.ALREADY_TAKEN)
    flow.refused(
        submit_draft, ROADS_2, RefusalCode.ALREADY_TAKEN, kind=DraftKind.ANSWER, text=ANSWER_TEXT
    )


def test_p8_stand_in_acts_for_the_absent_holder(flow_at):
    flow = routed_to_roads(flow_at)
    flow.do(take, ROADS)

    flow.do(submit_draft, ROADS_STAND_IN, kind=DraftKind.ANSWER, text=ANSWER_TEXT)
    flow.after(minutes=5).do(review, CURATOR, draft_id=1, approve=True)
    flow.after(minutes=5).do(
        confirm_publication, ROADS_STAND_IN, draft_id=1, url="https://vk.com/wall-1_100?r=2"
    )

    assert flow.incident.drafts[0].author_id == ROADS_STAND_IN.person_id
    assert flow.incident.drafts[0].published_by == ROADS_STAND_IN.person_id
    assert flow.incident.assignments[0].holder_id == ROADS.person_id  # still the holder's


def test_p8_stand_in_takes_over_and_may_come_from_another_office(flow_at):
    flow = routed_to_roads(flow_at)
    flow.do(take, ROADS)
    colleague = Actor(40, frozenset(), "water", frozenset({ROADS.person_id}))

    outcome = flow.do(take, colleague, org_code="roads")

    assert flow.incident.assignments[0].holder_id == colleague.person_id
    assert outcome.events[0].facts["took_over_from"] == ROADS.person_id
    # The former holder now needs a stand-in arrangement of their own to act.
    flow.refused(
        submit_draft, ROADS, RefusalCode.ALREADY_TAKEN, kind=DraftKind.ANSWER, text=ANSWER_TEXT
    )


def test_p8_the_deputy_acts_as_curator(flow_at):
    flow = routed_to_roads(flow_at)  # routed by the deputy
    flow.do(submit_draft, ROADS, kind=DraftKind.ANSWER, text=ANSWER_TEXT)

    flow.do(review, DEPUTY, draft_id=1, approve=True)

    assert flow.incident.drafts[0].reviews[0].reviewer_id == DEPUTY.person_id
    assert Role.DEPUTY_CURATOR in DEPUTY.roles
