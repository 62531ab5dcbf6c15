"""п.16: the approved answer is published within 30 minutes; п.18: after an interim answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from workflow.commands import (
    confirm_publication,
    review,
    route,
    set_stage_limits,
    submit_draft,
    take,
)
from workflow.commands.publication import may_publish
from workflow.errors import CommandRefused, RefusalCode
from workflow.model import (
    AssignmentStatus,
    DeadlineKind,
    DeadlineState,
    DraftKind,
    DraftStatus,
    IncidentStatus,
    Party,
    ReturnReason,
    StageLimits,
)
from workflow.policy import Policy, Publisher

from .conftest import ANSWER_TEXT, CURATOR, DEPUTY, PARKS, ROADS, ROADS_2, msk, nsk

WHERE = {"topic": "Дороги", "location": "ул. Ленина"}
URL = "https://vk.com/wall-1_100?reply=7"


def approved(flow_at, org, actor, approved_at, kind=DraftKind.ANSWER, **flow_args):
    flow = flow_at(msk(2026, 4, 27, 9, 0), **flow_args)
    flow.after(minutes=10).do(route, CURATOR, org_codes=[org], **WHERE)
    flow.after(minutes=10).do(submit_draft, actor, kind=kind, text=ANSWER_TEXT)
    flow.at(approved_at).do(review, CURATOR, draft_id=1, approve=True)
    return flow


def test_p16_approved_answer_published_within_30_min_by_the_executor(flow_at):
    parks = approved(flow_at, "parks", PARKS, msk(2026, 4, 27, 17, 45))
    roads = approved(flow_at, "roads", ROADS, nsk(2026, 4, 27, 17, 45))

    assert parks.deadline(DeadlineKind.PUBLISH).party is Party.ORGANISATION
    assert parks.deadline(DeadlineKind.PUBLISH).due_at == msk(2026, 4, 28, 9, 15)
    assert roads.deadline(DeadlineKind.PUBLISH).due_at == nsk(2026, 4, 28, 9, 15)


def test_p16_publication_answers_the_incident_and_stops_every_clock(flow_at):
    flow = approved(flow_at, "parks", PARKS, msk(2026, 4, 27, 10, 0))

    flow.after(minutes=10).refused(
        confirm_publication, PARKS, RefusalCode.MISSING_URL, draft_id=1, url=" "
    )
    outcome = flow.do(confirm_publication, PARKS, draft_id=1, url=URL)

    incident = flow.incident
    assert incident.status is IncidentStatus.ANSWERED
    assert not [d for d in incident.deadlines if d.running]
    answer = flow.deadline(DeadlineKind.ANSWER, state=DeadlineState.MET)
    assert answer.ended_at == flow.now <= answer.due_at
    draft = incident.drafts[0]
    assert (draft.status, draft.published_url, draft.published_by) == (
        DraftStatus.PUBLISHED,
        URL,
        PARKS.person_id,
    )
    assert incident.assignments[0].status is AssignmentStatus.DONE
    assert {d.kind for d in outcome.stopped_deadlines} == {
        DeadlineKind.ANSWER,
        DeadlineKind.PUBLISH,
    }


def test_p16_only_the_holder_publishes_what_was_approved(flow_at):
    flow = approved(flow_at, "parks", PARKS, msk(2026, 4, 27, 10, 0)).after(minutes=1)
    flow.refused(confirm_publication, CURATOR, RefusalCode.NOT_ALLOWED, draft_id=1, url=URL)

    flow2 = flow_at(msk(2026, 4, 27, 9, 0)).after(minutes=10)
    flow2.do(route, CURATOR, org_codes=["roads"], **WHERE)
    flow2.do(take, ROADS)
    flow2.do(submit_draft, ROADS, kind=DraftKind.ANSWER, text=ANSWER_TEXT)
    flow2.refused(confirm_publication, ROADS, RefusalCode.DRAFT_NOT_APPROVED, draft_id=1, url=URL)
    flow2.do(review, CURATOR, draft_id=1, approve=True)
    error = flow2.refused(
        confirm_publication, ROADS_2, RefusalCode.ALREADY_TAKEN, draft_id=1, url=URL
    )
    assert error.holder_id == ROADS.person_id


def test_p16_the_centre_publishes_when_the_policy_says_so(flow_at):
    policy = Policy(publisher=Publisher.CENTRE)
    flow = approved(flow_at, "roads", ROADS, msk(2026, 4, 27, 17, 45), policy=policy)

    publish = flow.deadline(DeadlineKind.PUBLISH)
    assert publish.party is Party.CENTRE
    assert publish.due_at == msk(2026, 4, 28, 9, 15)  # on the centre's calendar
    keys = {m.key for m in flow.last.messages}
    assert keys == {"draft.approved_centre_publishes", "draft.to_publish"}
    flow.after(minutes=5).refused(
        confirm_publication, ROADS, RefusalCode.CENTRE_PUBLISHES, draft_id=1, url=URL
    )
    flow.do(confirm_publication, CURATOR, draft_id=1, url=URL)
    assert flow.incident.status is IncidentStatus.ANSWERED


def test_p16_with_publisher_centre_the_guard_names_the_deputy_not_the_executor(flow_at):
    """The press gate asks this guard: the executor is told the centre publishes, the
    deputy curator passes and publishes."""
    policy = Policy(publisher=Publisher.CENTRE)
    flow = approved(flow_at, "roads", ROADS, msk(2026, 4, 27, 10, 0), policy=policy)
    with pytest.raises(CommandRefused, match="centre publishes") as refused:
        may_publish(flow.incident, ROADS)
    assert refused.value.code is RefusalCode.CENTRE_PUBLISHES
    may_publish(flow.incident, DEPUTY)
    flow.after(minutes=5).do(confirm_publication, DEPUTY, draft_id=1, url=URL)
    assert flow.incident.status is IncidentStatus.ANSWERED


def interim_published(flow_at):
    flow = flow_at(msk(2026, 11, 2, 9, 0))  # Monday; 3 Nov is short, 4 Nov a holiday
    flow.after(minutes=10).do(route, CURATOR, org_codes=["roads"], **WHERE)
    flow.after(minutes=20).do(submit_draft, ROADS, kind=DraftKind.INTERIM, text="Вопрос в работе.")
    flow.after(minutes=10).do(review, CURATOR, draft_id=1, approve=True)
    flow.at(msk(2026, 11, 2, 10, 0)).do(confirm_publication, ROADS, draft_id=1, url=URL)
    return flow


def test_p18_final_answer_due_five_working_days_after_interim(flow_at):
    flow = interim_published(flow_at)

    incident = flow.incident
    assert incident.status is IncidentStatus.INTERIM
    assert flow.deadline(DeadlineKind.ANSWER, state=DeadlineState.MET).ended_at == flow.now
    final = flow.deadline(DeadlineKind.FINAL_ANSWER)
    # 3, 5, 6, 9, 10 November: the end of the fifth working day.
    assert final.due_at == msk(2026, 11, 10, 18, 0)
    # The organisation drafts the final answer; 18:00 Moscow is 22:00 in Novosibirsk.
    assert flow.deadline(DeadlineKind.DRAFT, "roads").due_at == nsk(2026, 11, 10, 17, 30)
    assert incident.assignments[0].status is AssignmentStatus.TAKEN
    assert {m.key for m in flow.last.messages} == {"draft.published", "incident.final_answer_due"}


def test_p18_curator_sets_the_deadlines_of_the_following_steps(flow_at):
    flow = interim_published(flow_at)
    limits = StageLimits(
        draft_margin=timedelta(hours=9), review=timedelta(hours=4), resubmit=timedelta(hours=2)
    )

    flow.refused(set_stage_limits, ROADS, RefusalCode.NOT_ALLOWED, limits=limits)
    flow.refused(
        set_stage_limits,
        CURATOR,
        RefusalCode.INVALID_LIMIT,
        limits=StageLimits(review=timedelta(0)),
    )
    outcome = flow.after(minutes=5).do(set_stage_limits, CURATOR, limits=limits)

    assert flow.incident.stage_limits == limits
    # 9 working hours before the final-answer deadline, on the organisation's calendar:
    # all of 10 November and the last hour of the 9th.
    assert flow.deadline(DeadlineKind.DRAFT, "roads").due_at == nsk(2026, 11, 9, 17, 0)
    assert [m.key for m in outcome.messages] == ["incident.stage_limits_set"]

    flow.at(msk(2026, 11, 5, 11, 0)).do(
        submit_draft, ROADS, kind=DraftKind.ANSWER, text=ANSWER_TEXT
    )
    assert flow.deadline(DeadlineKind.REVIEW).due_at == msk(2026, 11, 5, 16, 0)
    flow.after(minutes=30).do(
        review, CURATOR, draft_id=2, approve=False, reasons=[ReturnReason.FORMAT]
    )
    assert flow.deadline(DeadlineKind.RESUBMIT, "roads").due_at == nsk(2026, 11, 5, 17, 30)


def test_p18_stage_limits_only_after_an_interim_answer_and_only_one_interim(flow_at):
    flow = flow_at(msk(2026, 11, 2, 9, 0))
    flow.refused(set_stage_limits, CURATOR, RefusalCode.WRONG_STATE, limits=StageLimits())
    flow = interim_published(flow_at)

    flow.refused(
        submit_draft, ROADS, RefusalCode.WRONG_STATE, kind=DraftKind.INTERIM, text="Снова."
    )
    flow.after(minutes=5).do(submit_draft, ROADS, kind=DraftKind.ANSWER, text=ANSWER_TEXT)
    flow.after(minutes=5).do(review, CURATOR, draft_id=2, approve=True)
    flow.after(minutes=5).do(confirm_publication, ROADS, draft_id=2, url=URL + "8")

    assert flow.incident.status is IncidentStatus.ANSWERED
    assert flow.deadline(DeadlineKind.FINAL_ANSWER, state=DeadlineState.MET)
