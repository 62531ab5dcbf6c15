"""п.11: "not ours" within 30 minutes of receipt, re-routed by the curator within 30 minutes."""

from __future__ import annotations

from workflow.commands import decline, reroute, route, submit_draft, take
from workflow.effects import Addressee
from workflow.errors import RefusalCode
from workflow.model import (
    AssignmentStatus,
    DeadlineKind,
    DeadlineState,
    DraftKind,
    DraftStatus,
    Party,
)

from .conftest import ANSWER_TEXT, CURATOR, PARKS, ROADS, ROADS_2, msk, nsk

WHERE = {"topic": "Дороги", "location": "ул. Ленина"}


def routed_to_roads_late_in_novosibirsk(flow_at):
    flow = flow_at(msk(2026, 4, 27, 13, 30))  # lunch in Moscow: clocks start at 14:00
    flow.at(msk(2026, 4, 27, 13, 50)).do(route, CURATOR, org_codes=["roads"], **WHERE)
    return flow  # received at 17:50 in Novosibirsk, ten minutes before the office closes


def test_p11_not_ours_within_30_min_of_receipt(flow_at):
    flow = routed_to_roads_late_in_novosibirsk(flow_at)
    respond = flow.deadline(DeadlineKind.RESPOND, "roads")
    assert respond.due_at == nsk(2026, 4, 28, 9, 20)  # 10 min on Monday, 20 on Tuesday

    outcome = flow.at(nsk(2026, 4, 28, 9, 10)).do(decline, ROADS, comment="Это дворы, не дороги")

    (assignment,) = flow.incident.assignments
    assert assignment.status is AssignmentStatus.DECLINED
    assert assignment.decline_comment == "Это дворы, не дороги"
    assert outcome.events[0].facts["p11_late"] is False
    assert flow.deadline(DeadlineKind.RESPOND, "roads", DeadlineState.MET).ended_at == nsk(
        2026, 4, 28, 9, 10
    )
    assert flow.deadline(DeadlineKind.DRAFT, "roads", DeadlineState.CANCELLED)
    # The curator's 30 minutes run on the centre's calendar: 05:10 in Moscow is before hours.
    reroute_deadline = flow.deadline(DeadlineKind.REROUTE)
    assert reroute_deadline.party is Party.CENTRE
    assert reroute_deadline.due_at == msk(2026, 4, 28, 9, 30)
    (message,) = outcome.messages
    assert message.to == Addressee.curators()
    assert message.key == "incident.declined"


def test_p11_not_ours_after_30_min_is_accepted_and_recorded_late(flow_at):
    flow = routed_to_roads_late_in_novosibirsk(flow_at)

    outcome = flow.at(nsk(2026, 4, 28, 9, 40)).do(decline, ROADS, comment="Не наш вопрос")

    assert outcome.events[0].facts["p11_late"] is True
    respond = flow.deadline(DeadlineKind.RESPOND, "roads", DeadlineState.MET)
    assert respond.ended_at > respond.due_at


def test_p11_not_ours_needs_a_reason_and_an_executor_of_the_organisation(flow_at):
    flow = routed_to_roads_late_in_novosibirsk(flow_at).after(minutes=5)

    flow.refused(decline, ROADS, RefusalCode.MISSING_COMMENT, comment="  ")
    flow.refused(decline, PARKS, RefusalCode.NOT_ASSIGNED, comment="Не наш")
    flow.refused(decline, CURATOR, RefusalCode.NOT_ALLOWED, comment="Не наш", org_code="roads")
    flow.do(take, ROADS)
    flow.refused(decline, ROADS_2, RefusalCode.ALREADY_TAKEN, comment="Не наш")


def test_p11_not_ours_rerouted_within_30_min(flow_at):
    flow = routed_to_roads_late_in_novosibirsk(flow_at)
    flow.at(nsk(2026, 4, 28, 9, 10)).do(decline, ROADS, comment="Это дворы")

    outcome = flow.at(msk(2026, 4, 28, 9, 20)).do(reroute, CURATOR, org_codes=["parks"])

    reroute_deadline = flow.deadline(DeadlineKind.REROUTE, state=DeadlineState.MET)
    assert reroute_deadline.ended_at <= reroute_deadline.due_at
    assert outcome.events[0].facts["reroute_late"] is False
    parks = next(a for a in flow.incident.assignments if a.org_code == "parks")
    assert parks.status is AssignmentStatus.SENT
    assert flow.deadline(DeadlineKind.RESPOND, "parks").due_at == msk(2026, 4, 28, 9, 50)
    # The answer was due on Monday at 17:00, so п.12 alone would put the draft behind us;
    # a fair clock gives parks its minimum, 1 h 30 min from 09:20 (docs/fair-clocks.md).
    assert flow.deadline(DeadlineKind.DRAFT, "parks").due_at == msk(2026, 4, 28, 10, 50)
    assert [m.to for m in outcome.messages] == [Addressee.organisation("parks")]


def test_p11_reroute_follows_a_not_ours_only(flow_at):
    flow = routed_to_roads_late_in_novosibirsk(flow_at).after(minutes=5)

    flow.refused(reroute, CURATOR, RefusalCode.WRONG_STATE, org_codes=["parks"])
    flow.do(decline, ROADS, comment="Не наш")
    flow.refused(reroute, CURATOR, RefusalCode.NO_ORGANISATIONS, org_codes=[])
    flow.refused(reroute, PARKS, RefusalCode.NOT_ALLOWED, org_codes=["parks"])
    flow.refused(reroute, CURATOR, RefusalCode.UNKNOWN_ORGANISATION, org_codes=["zoo"])
    # The curator may disagree and send it back to the same organisation.
    flow.do(reroute, CURATOR, org_codes=["roads"])
    assert flow.incident.assignments[0].status is AssignmentStatus.SENT
    assert len(flow.incident.assignments) == 1


def test_p11_not_ours_withdraws_the_organisation_s_drafts(flow_at):
    flow = routed_to_roads_late_in_novosibirsk(flow_at).after(minutes=5)
    flow.do(submit_draft, ROADS, kind=DraftKind.ANSWER, text=ANSWER_TEXT)

    outcome = flow.after(minutes=1).do(decline, ROADS, comment="Всё-таки не наш")

    assert flow.incident.drafts[0].status is DraftStatus.SUPERSEDED
    assert DeadlineKind.REVIEW in {d.kind for d in outcome.stopped_deadlines}
    assert not flow.deadlines(DeadlineKind.REVIEW)
