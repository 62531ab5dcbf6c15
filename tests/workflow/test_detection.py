"""Detection: the answer clock (п.9, п.17) and the routing clock (п.10)."""

from __future__ import annotations

from workflow.commands import route, set_importance
from workflow.effects import Addressee
from workflow.errors import RefusalCode
from workflow.model import DeadlineKind, DeadlineState, Importance, IncidentStatus, Party

from .conftest import CURATOR, PARKS, msk, nsk


def test_p9_answer_due_three_working_hours_after_detection(flow_at):
    flow = flow_at(msk(2026, 4, 24, 16, 30))  # Friday afternoon

    answer = flow.deadline(DeadlineKind.ANSWER)

    assert flow.incident.status is IncidentStatus.NEW
    assert answer.party is Party.EVERYONE
    # 1.5 h on Friday, the weekend does not count, 1.5 h on Monday.
    assert answer.due_at == msk(2026, 4, 27, 10, 30)
    assert answer.started_at == msk(2026, 4, 24, 16, 30)


def test_p9_answer_clock_skips_a_holiday_and_counts_a_shortened_day(flow_at):
    # 30 April is a 7-hour day, 1 May a holiday, 2–3 May the weekend.
    flow = flow_at(msk(2026, 4, 30, 15, 0))

    assert flow.deadline(DeadlineKind.ANSWER).due_at == msk(2026, 5, 4, 10, 0)


def test_p9_answer_clock_runs_on_the_centre_calendar_whoever_works_on_it(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))
    flow.after(minutes=20).do(
        route, CURATOR, org_codes=["roads"], topic="Дороги", location="Ленина"
    )

    # The Novosibirsk organisation does not move the answer clock of the centre.
    assert flow.deadline(DeadlineKind.ANSWER).due_at == msk(2026, 4, 27, 12, 0)


def test_p10_route_due_one_working_hour_after_detection(flow_at):
    flow = flow_at(msk(2026, 4, 24, 17, 30))

    route_deadline = flow.deadline(DeadlineKind.ROUTE)

    assert route_deadline.party is Party.CENTRE
    assert route_deadline.due_at == msk(2026, 4, 27, 9, 30)


def test_p10_detection_tells_the_curators(flow_at):
    flow = flow_at(msk(2026, 4, 27, 10, 10))

    (message,) = flow.last.messages
    assert message.key == "incident.detected"
    assert message.to == Addressee.curators()
    assert message.params["route_due_at"] == "2026-04-27T08:10:00+00:00"
    assert message.params["answer_due_at"] == "2026-04-27T11:10:00+00:00"


def test_p17_high_importance_answer_due_two_working_hours_after_detection(flow_at):
    # 8 May is a 7-hour day; 9–11 May are days off.
    normal = flow_at(msk(2026, 5, 8, 16, 0))
    high = flow_at(msk(2026, 5, 8, 16, 0), importance=Importance.HIGH)

    assert normal.deadline(DeadlineKind.ANSWER).due_at == msk(2026, 5, 12, 11, 0)
    assert high.deadline(DeadlineKind.ANSWER).due_at == msk(2026, 5, 12, 10, 0)


def test_p17_high_importance_set_later_shortens_answer_deadline(flow_at):
    flow = flow_at(msk(2026, 4, 27, 10, 10))
    flow.after(minutes=5).do(route, CURATOR, org_codes=["roads"], topic="Дороги", location="Ленина")
    assert flow.deadline(DeadlineKind.ANSWER).due_at == msk(2026, 4, 27, 14, 10)
    # 14:10 Moscow is 18:10 in Novosibirsk, after hours: the draft is due at 17:30 there.
    assert flow.deadline(DeadlineKind.DRAFT, "roads").due_at == nsk(2026, 4, 27, 17, 30)

    outcome = flow.after(minutes=5).do(set_importance, CURATOR, importance=Importance.HIGH)

    answer = flow.deadline(DeadlineKind.ANSWER)
    assert answer.due_at == msk(2026, 4, 27, 12, 10)  # 2 h from detection, not from now
    assert answer.started_at == msk(2026, 4, 27, 10, 10)
    assert flow.deadline(DeadlineKind.DRAFT, "roads").due_at == nsk(2026, 4, 27, 15, 40)
    assert {d.kind for d in outcome.stopped_deadlines} == {DeadlineKind.ANSWER, DeadlineKind.DRAFT}
    assert all(d.state is DeadlineState.CANCELLED for d in outcome.stopped_deadlines)
    assert {d.kind for d in outcome.started_deadlines} == {DeadlineKind.ANSWER, DeadlineKind.DRAFT}
    assert {m.to.org_code for m in outcome.messages} == {None, "roads"}


def test_p17_importance_change_is_for_curators_and_must_change_something(flow_at):
    flow = flow_at(msk(2026, 4, 27, 10, 10))

    flow.refused(set_importance, PARKS, RefusalCode.NOT_ALLOWED, importance=Importance.HIGH)
    flow.refused(set_importance, CURATOR, RefusalCode.NO_CHANGE, importance=Importance.NORMAL)
    flow.do(set_importance, CURATOR, importance=Importance.HIGH)
    flow.do(set_importance, CURATOR, importance=Importance.NORMAL)
    assert flow.deadline(DeadlineKind.ANSWER).due_at == msk(2026, 4, 27, 14, 10)
