"""Fair clocks (docs/fair-clocks.md): a step's deadline is never earlier than its start plus
its minimum, and a late answer is blamed on the steps that overran."""

from __future__ import annotations

from datetime import timedelta

from workflow.alerts import AlertDecision, AlertStage, LadderStep, alert_messages
from workflow.commands import (
    confirm_publication,
    review,
    route,
    set_importance,
    submit_draft,
    take,
)
from workflow.fairness import late_steps, late_steps_json
from workflow.model import DeadlineKind, DeadlineState, DraftKind, Importance, Party
from workflow.policy import Minimums, Policy

from .conftest import ANSWER_TEXT, CURATOR, PARKS, POST, msk

WHERE = {"topic": "Дороги", "location": "ул. Ленина"}


def test_p12_late_routing_gives_a_fair_draft_deadline_and_is_blamed_for_the_late_answer(flow_at):
    # Detected Mon 09:00: routing due 10:00 (п.10), the answer 12:00 (п.9). Routed 11:45: п.12
    # alone would make the draft due 11:30, before it was even sent.
    flow = flow_at(msk(2026, 4, 27, 9, 0))
    flow.at(msk(2026, 4, 27, 11, 45)).do(route, CURATOR, org_codes=["parks"], **WHERE)

    # 1 h 30 min from 11:45, across lunch (13–14): 14:15.
    assert flow.deadline(DeadlineKind.DRAFT, "parks").due_at == msk(2026, 4, 27, 14, 15)
    assert flow.last.messages[0].params["draft_due_at"] == "2026-04-27T11:15:00+00:00"

    flow.after(minutes=5).do(take, PARKS)

    flow.at(msk(2026, 4, 27, 14, 0)).do(
        submit_draft, PARKS, kind=DraftKind.ANSWER, text=ANSWER_TEXT
    )
    flow.after(minutes=10).do(review, CURATOR, draft_id=1, approve=True)
    outcome = flow.after(minutes=10).do(
        confirm_publication, PARKS, draft_id=1, url="https://vk.com/r"
    )

    # Only routing overran: 10:00 → 11:45 is 1 h 45 min of the centre's working time.
    assert outcome.events[0].facts["late_steps"] == [
        {"kind": "route", "party": "centre", "org_code": None, "minutes": 105}
    ]


def test_p12_routed_after_hours_draft_due_next_morning_not_before_routing(flow_at):
    # Detected Tue 15:10: the answer is due Wed 09:10, п.12 puts the draft at Tue 17:40.
    flow = flow_at(msk(2026, 4, 28, 15, 10))
    flow.at(msk(2026, 4, 28, 17, 55)).do(route, CURATOR, org_codes=["parks"], **WHERE)

    assert flow.deadline(DeadlineKind.ANSWER).due_at == msk(2026, 4, 29, 9, 10)
    # 5 minutes on Tuesday, 1 h 25 min on Wednesday.
    assert flow.deadline(DeadlineKind.DRAFT, "parks").due_at == msk(2026, 4, 29, 10, 25)
    assert flow.deadline(DeadlineKind.RESPOND, "parks").due_at == msk(2026, 4, 29, 9, 25)
    (step,) = late_steps(flow.incident, flow.calendars, msk(2026, 4, 29, 9, 20))
    assert (step.kind, step.party, step.minutes) == (DeadlineKind.ROUTE, Party.CENTRE, 105)


def test_p17_importance_raised_late_gives_the_draft_its_minimum_from_now(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))
    flow.after(minutes=30).do(route, CURATOR, org_codes=["parks"], **WHERE)
    assert flow.deadline(DeadlineKind.DRAFT, "parks").due_at == msk(2026, 4, 27, 11, 30)

    flow.at(msk(2026, 4, 27, 11, 20)).do(set_importance, CURATOR, importance=Importance.HIGH)

    # The answer is now due 11:00 (п.17), the draft by п.12 at 10:30 — an hour ago. A
    # high-importance draft's own length is 2 h less 1 h routing and 30 min: 30 min.
    assert flow.deadline(DeadlineKind.ANSWER).due_at == msk(2026, 4, 27, 11, 0)
    assert flow.deadline(DeadlineKind.DRAFT, "parks").due_at == msk(2026, 4, 27, 11, 50)


def test_minimums_are_configuration(flow_at):
    policy = Policy(minimums=Minimums(draft=timedelta(minutes=45), review=timedelta(hours=1)))
    flow = flow_at(msk(2026, 4, 27, 9, 0), policy=policy)
    flow.at(msk(2026, 4, 27, 11, 45)).do(route, CURATOR, org_codes=["parks"], **WHERE)
    assert flow.deadline(DeadlineKind.DRAFT, "parks").due_at == msk(2026, 4, 27, 12, 30)
    flow.at(msk(2026, 4, 27, 12, 0)).do(
        submit_draft, PARKS, kind=DraftKind.ANSWER, text=ANSWER_TEXT
    )
    # п.14's 30 minutes, raised to the configured hour.
    assert flow.deadline(DeadlineKind.REVIEW).due_at == msk(2026, 4, 27, 13, 0)


def test_the_answer_alert_names_the_steps_that_overran(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))
    flow.at(msk(2026, 4, 27, 9, 40)).do(route, CURATOR, org_codes=["parks"], **WHERE)
    flow.after(minutes=10).do(take, PARKS)
    now = msk(2026, 4, 27, 12, 0)
    position = next(
        i for i, d in enumerate(flow.incident.deadlines) if d.kind is DeadlineKind.ANSWER
    )
    decision = AlertDecision(LadderStep(AlertStage.OVERDUE, now), (), AlertStage.OVERDUE, None)
    late = late_steps_json(flow.incident, flow.calendars, now)

    messages = alert_messages(
        flow.incident, position, flow.calendars.centre, decision, now, late_steps=late
    )

    # Routing was on time; the draft (due 11:30) is 30 minutes late and still not in.
    assert messages[0].params["late_steps"] == [
        {"kind": "draft", "party": "organisation", "org_code": "parks", "minutes": 30}
    ]


def test_p19_several_expected_the_routing_clock_is_30_minutes_with_its_ladder(calendars):
    from workflow.alerts import AlertPolicy, ladder
    from workflow.commands import detect

    policy = Policy()
    outcome = detect(
        POST, msk(2026, 4, 27, 9, 0), Importance.NORMAL, 1, policy, calendars, None, True
    )
    (clock,) = [d for d in outcome.incident.deadlines if d.kind is DeadlineKind.ROUTE]
    assert clock.due_at == msk(2026, 4, 27, 9, 30)
    steps = ladder(clock, calendars.centre, AlertPolicy())
    assert [s.at for s in steps][:3] == [
        msk(2026, 4, 27, 9, 15),
        msk(2026, 4, 27, 9, 20),
        msk(2026, 4, 27, 9, 30),
    ]


def test_p10_a_single_organisation_after_all_is_held_to_the_hour(calendars):
    from workflow.commands import detect

    from .conftest import Flow

    flow = Flow(calendars, msk(2026, 4, 27, 9, 0))
    flow.incident = detect(
        POST, msk(2026, 4, 27, 9, 0), Importance.NORMAL, 1, Policy(), calendars, None, True
    ).incident
    outcome = flow.at(msk(2026, 4, 27, 9, 45)).do(route, CURATOR, org_codes=["parks"], **WHERE)
    route_clock = flow.deadline(DeadlineKind.ROUTE, state=DeadlineState.MET)
    assert route_clock.due_at == msk(2026, 4, 27, 10, 0)
    assert outcome.events[0].facts["route_late"] is False
