"""The ladder, its audience and quiet hours (workflow/alerts.py), without a database."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflow.alerts import (
    AlertPolicy,
    AlertStage,
    LadderStep,
    alert_messages,
    audience,
    decide,
    ladder,
    next_step,
    overdue_deadlines,
    quiet_until,
)
from workflow.calendar import WorkingCalendar
from workflow.effects import Addressee, AddresseeKind
from workflow.model import (
    Assignment,
    AssignmentStatus,
    Deadline,
    DeadlineKind,
    DeadlineState,
    Importance,
    Incident,
    IncidentStatus,
    Party,
    Post,
    Source,
)
from workflow.roles import Role

MSK = ZoneInfo("Europe/Moscow")
NSK = ZoneInfo("Asia/Novosibirsk")
CENTRE = WorkingCalendar.russian("Europe/Moscow")
NOVOSIBIRSK = WorkingCalendar.russian("Asia/Novosibirsk")
ALWAYS = WorkingCalendar.always("Europe/Moscow")
POLICY = AlertPolicy()
MANAGERS = Addressee(AddresseeKind.ROLE, role=Role.MANAGER)


def msk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=MSK)  # type: ignore[misc]


def nsk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NSK)  # type: ignore[misc]


def deadline(
    kind: DeadlineKind,
    party: Party,
    started: datetime,
    due: datetime,
    org_code: str | None = None,
    state: DeadlineState = DeadlineState.RUNNING,
) -> Deadline:
    return Deadline(
        kind=kind,
        party=party,
        due_at=due.astimezone(UTC),
        started_at=started.astimezone(UTC),
        state=state,
        org_code=org_code,
    )


def incident(*deadlines: Deadline, assignments: tuple[Assignment, ...] = (), **kw) -> Incident:
    return Incident(
        id=7,
        post=Post(Source.VK, "https://vk.com/wall-1_1", "Яма"),
        detected_at=deadlines[0].started_at if deadlines else msk(2026, 5, 4, 9),
        status=IncidentStatus.IN_WORK if assignments else IncidentStatus.NEW,
        assignments=assignments,
        deadlines=deadlines,
        **kw,
    )


def stages(steps: tuple[LadderStep, ...]) -> list[tuple[AlertStage, datetime]]:
    return [(step.stage, step.at) for step in steps]


# --- the ladder's moments ---------------------------------------------------------------------


def test_answer_ladder_across_the_shortened_day_and_the_may_holidays() -> None:
    # Detected Thu 30 Apr 2026 16:30: the day ends at 17:00 (shortened), May 1-3 are off.
    answer = deadline(
        DeadlineKind.ANSWER, Party.EVERYONE, msk(2026, 4, 30, 16, 30), msk(2026, 5, 4, 11, 30)
    )
    assert stages(ladder(answer, CENTRE, POLICY)) == [
        (AlertStage.HALF, msk(2026, 5, 4, 10, 0)),  # 30 min on Thursday + 1 h on Monday
        (AlertStage.FINAL, msk(2026, 5, 4, 11, 20)),
        (AlertStage.OVERDUE, msk(2026, 5, 4, 11, 30)),
        (AlertStage.ESCALATED, msk(2026, 5, 4, 12, 0)),
    ]


def test_route_ladder_half_time_falls_on_the_closing_of_the_shortened_day() -> None:
    route = deadline(
        DeadlineKind.ROUTE, Party.CENTRE, msk(2026, 4, 30, 16, 30), msk(2026, 5, 4, 9, 30)
    )
    assert stages(ladder(route, CENTRE, POLICY)) == [
        (AlertStage.HALF, msk(2026, 4, 30, 17, 0)),
        (AlertStage.FINAL, msk(2026, 5, 4, 9, 20)),
        (AlertStage.OVERDUE, msk(2026, 5, 4, 9, 30)),
        (AlertStage.ESCALATED, msk(2026, 5, 4, 10, 0)),
    ]


def test_friday_evening_deadline_of_a_novosibirsk_office_runs_over_the_weekend() -> None:
    # Routed Fri 15 May 16:10 MSK = 20:10 in Novosibirsk: the 30 minutes start on Monday.
    respond = deadline(
        DeadlineKind.RESPOND,
        Party.ORGANISATION,
        msk(2026, 5, 15, 16, 10),
        nsk(2026, 5, 18, 9, 30),
        org_code="roads",
    )
    assert stages(ladder(respond, NOVOSIBIRSK, POLICY)) == [
        (AlertStage.HALF, nsk(2026, 5, 18, 9, 15)),
        (AlertStage.FINAL, nsk(2026, 5, 18, 9, 20)),
        (AlertStage.OVERDUE, nsk(2026, 5, 18, 9, 30)),
        (AlertStage.ESCALATED, nsk(2026, 5, 18, 10, 0)),
    ]


def test_escalation_waits_over_the_break_and_the_night() -> None:
    due_before_break = deadline(
        DeadlineKind.ANSWER, Party.EVERYONE, msk(2026, 5, 20, 10), msk(2026, 5, 20, 13)
    )
    assert ladder(due_before_break, CENTRE, POLICY)[-1] == LadderStep(
        AlertStage.ESCALATED, msk(2026, 5, 20, 14, 30).astimezone(UTC)
    )
    due_at_closing = deadline(
        DeadlineKind.ANSWER, Party.EVERYONE, msk(2026, 5, 20, 15), msk(2026, 5, 20, 18)
    )
    assert ladder(due_at_closing, CENTRE, POLICY)[-1].at == msk(2026, 5, 21, 9, 30)


def test_a_short_deadline_keeps_only_the_reminders_that_fit() -> None:
    fifteen = deadline(
        DeadlineKind.REVIEW, Party.CENTRE, msk(2026, 5, 20, 10), msk(2026, 5, 20, 10, 15)
    )
    # Half time (10:07:30) would come after the final reminder (10:05): it is left out.
    assert [s.stage for s in ladder(fifteen, CENTRE, POLICY)] == [
        AlertStage.FINAL,
        AlertStage.OVERDUE,
        AlertStage.ESCALATED,
    ]
    eight = deadline(
        DeadlineKind.REVIEW, Party.CENTRE, msk(2026, 5, 20, 10), msk(2026, 5, 20, 10, 8)
    )
    # Ten minutes before would be before the start.
    assert stages(ladder(eight, CENTRE, POLICY))[:2] == [
        (AlertStage.HALF, msk(2026, 5, 20, 10, 4)),
        (AlertStage.OVERDUE, msk(2026, 5, 20, 10, 8)),
    ]


def test_every_step_but_the_overdue_alert_can_be_switched_off() -> None:
    answer = deadline(
        DeadlineKind.ANSWER, Party.EVERYONE, msk(2026, 5, 20, 10), msk(2026, 5, 20, 13)
    )
    bare = AlertPolicy(reminder_share=None, final_reminder_before=None, escalate_after=None)
    assert stages(ladder(answer, CENTRE, bare)) == [(AlertStage.OVERDUE, msk(2026, 5, 20, 13))]
    custom = AlertPolicy(
        reminder_share=0.25,
        final_reminder_before=timedelta(minutes=30),
        escalate_after=timedelta(hours=1),
    )
    assert stages(ladder(answer, CENTRE, custom)) == [
        (AlertStage.HALF, msk(2026, 5, 20, 10, 45)),
        (AlertStage.FINAL, msk(2026, 5, 20, 12, 30)),
        (AlertStage.OVERDUE, msk(2026, 5, 20, 13)),
        (AlertStage.ESCALATED, msk(2026, 5, 20, 15)),
    ]


def test_ladder_on_a_24_7_calendar_counts_wall_time() -> None:
    answer = deadline(DeadlineKind.ANSWER, Party.EVERYONE, msk(2026, 5, 9, 22), msk(2026, 5, 10, 1))
    assert stages(ladder(answer, ALWAYS, POLICY)) == [
        (AlertStage.HALF, msk(2026, 5, 9, 23, 30)),
        (AlertStage.FINAL, msk(2026, 5, 10, 0, 50)),
        (AlertStage.OVERDUE, msk(2026, 5, 10, 1)),
        (AlertStage.ESCALATED, msk(2026, 5, 10, 1, 30)),
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"reminder_share": 0.0},
        {"reminder_share": 1.0},
        {"final_reminder_before": timedelta(0)},
        {"escalate_after": timedelta(minutes=-5)},
        {"weekly_digest_weekday": 7},
        {"digest_catch_up": timedelta(0)},
    ],
)
def test_policy_refuses_nonsense(changes: dict) -> None:
    with pytest.raises(ValueError):
        AlertPolicy(**changes)


# --- deciding what to fire --------------------------------------------------------------------

ANSWER = deadline(DeadlineKind.ANSWER, Party.EVERYONE, msk(2026, 5, 20, 10), msk(2026, 5, 20, 13))


def test_decide_fires_each_step_at_its_moment_and_points_to_the_next() -> None:
    before = decide(ANSWER, CENTRE, POLICY, 0, msk(2026, 5, 20, 11, 29))
    assert before.fire is None and before.reached is AlertStage.NONE
    assert before.next_at == msk(2026, 5, 20, 11, 30)
    half = decide(ANSWER, CENTRE, POLICY, 0, msk(2026, 5, 20, 11, 30))
    assert half.fire is not None and half.fire.stage is AlertStage.HALF and not half.skipped
    assert (half.reached, half.next_at) == (AlertStage.HALF, msk(2026, 5, 20, 12, 50))
    # Asked again at the same moment with the stage it reached: nothing more.
    again = decide(ANSWER, CENTRE, POLICY, AlertStage.HALF, msk(2026, 5, 20, 11, 30))
    assert again.fire is None and again.next_at == msk(2026, 5, 20, 12, 50)
    last = decide(ANSWER, CENTRE, POLICY, AlertStage.OVERDUE, msk(2026, 5, 20, 14, 30))
    assert last.fire is not None and last.fire.stage is AlertStage.ESCALATED
    assert last.next_at is None
    assert next_step(ANSWER, CENTRE, POLICY, AlertStage.ESCALATED) is None


def test_missed_ladder_collapses_into_its_latest_step() -> None:
    late = decide(ANSWER, CENTRE, POLICY, 0, msk(2026, 5, 20, 13, 5))
    assert late.fire is not None and late.fire.stage is AlertStage.OVERDUE
    assert [s.stage for s in late.skipped] == [AlertStage.HALF, AlertStage.FINAL]
    assert late.next_at == msk(2026, 5, 20, 14, 30)
    very_late = decide(ANSWER, CENTRE, POLICY, AlertStage.HALF, msk(2026, 5, 21, 9))
    assert very_late.fire is not None and very_late.fire.stage is AlertStage.ESCALATED
    assert [s.stage for s in very_late.skipped] == [AlertStage.FINAL, AlertStage.OVERDUE]
    assert very_late.next_at is None


# --- who is told ------------------------------------------------------------------------------

HOLDER = 42


def test_centre_clock_goes_to_the_curators_and_its_escalation_to_the_managers() -> None:
    route = deadline(DeadlineKind.ROUTE, Party.CENTRE, msk(2026, 5, 20, 10), msk(2026, 5, 20, 11))
    value = incident(route)
    assert audience(value, route, AlertStage.HALF) == (Addressee.curators(),)
    # The centre's own clock: no organisation's responsible official is to blame.
    assert audience(value, route, AlertStage.OVERDUE) == (Addressee.curators(),)
    assert audience(value, route, AlertStage.ESCALATED) == (MANAGERS,)


def test_organisation_clock_goes_to_the_holder_or_else_the_organisation() -> None:
    respond = deadline(
        DeadlineKind.DRAFT, Party.ORGANISATION, msk(2026, 5, 20, 10), msk(2026, 5, 20, 12), "roads"
    )
    sent = Assignment("roads", AssignmentStatus.SENT, msk(2026, 5, 20, 10))
    nobody = incident(respond, assignments=(sent,))
    assert audience(nobody, respond, AlertStage.FINAL) == (Addressee.organisation("roads"),)
    taken = dataclasses.replace(sent, status=AssignmentStatus.TAKEN, holder_id=HOLDER)
    held = incident(respond, assignments=(taken,))
    assert audience(held, respond, AlertStage.HALF) == (Addressee.person(HOLDER),)
    assert audience(held, respond, AlertStage.OVERDUE) == (
        Addressee.person(HOLDER),
        Addressee.organisation("roads", Role.RESPONSIBLE),
        Addressee.curators(),
    )


def test_answer_clock_goes_to_the_live_assignments_and_the_curators() -> None:
    start = msk(2026, 5, 20, 10)
    answer = deadline(DeadlineKind.ANSWER, Party.EVERYONE, start, msk(2026, 5, 20, 13))
    value = incident(
        answer,
        assignments=(
            Assignment("roads", AssignmentStatus.TAKEN, start, holder_id=HOLDER),
            Assignment("parks", AssignmentStatus.SENT, start),
            Assignment("water", AssignmentStatus.DECLINED, start),  # not theirs any more
        ),
    )
    assert audience(value, answer, AlertStage.FINAL) == (
        Addressee.person(HOLDER),
        Addressee.organisation("parks"),
        Addressee.curators(),
    )
    assert audience(value, answer, AlertStage.OVERDUE) == (
        Addressee.person(HOLDER),
        Addressee.organisation("parks"),
        Addressee.curators(),
        Addressee.organisation("roads", Role.RESPONSIBLE),
        Addressee.organisation("parks", Role.RESPONSIBLE),
    )
    # Not routed yet: only the curators.
    assert audience(incident(answer), answer, AlertStage.HALF) == (Addressee.curators(),)


def test_messages_carry_keys_and_parameters_never_text() -> None:
    value = incident(ANSWER, dataclasses.replace(ANSWER, kind=DeadlineKind.ROUTE))
    now = msk(2026, 5, 20, 12, 50)
    decision = decide(ANSWER, CENTRE, POLICY, AlertStage.HALF, now)
    (message,) = alert_messages(value, 0, CENTRE, decision, now)
    assert message.key == "deadline.reminder"
    assert message.incident_id == 7
    assert message.params == {
        "incident_id": 7,
        "deadline": 0,
        "kind": "answer",
        "party": "everyone",
        "org_code": None,
        "draft_id": None,
        "due_at": "2026-05-20T10:00:00+00:00",
        "stage": "final",
        "importance": "normal",
        "caught_up": False,
        "left_minutes": 10,
    }
    later = msk(2026, 5, 20, 14, 10)  # 10 working minutes late: the break does not count
    (overdue,) = alert_messages(value, 0, CENTRE, decide(ANSWER, CENTRE, POLICY, 2, later), later)
    assert overdue.key == "deadline.overdue"
    assert overdue.params["overdue_minutes"] == 10
    assert overdue.params["stage"] == "overdue"


def test_collapsed_escalation_reaches_everyone_the_skipped_alerts_would_have() -> None:
    value = incident(ANSWER)
    now = msk(2026, 5, 21, 9, 0)
    messages = alert_messages(value, 0, CENTRE, decide(ANSWER, CENTRE, POLICY, 0, now), now)
    assert {m.key for m in messages} == {"deadline.overdue_escalated"}
    assert [m.to for m in messages] == [Addressee.curators(), MANAGERS]
    assert all(m.params["caught_up"] for m in messages)
    assert messages[0].params["overdue_minutes"] == 4 * 60  # 14:00-18:00; 09:00 is the start


def test_nothing_to_fire_means_no_messages() -> None:
    now = msk(2026, 5, 20, 10, 30)
    assert (
        alert_messages(incident(ANSWER), 0, CENTRE, decide(ANSWER, CENTRE, POLICY, 0, now), now)
        == ()
    )


# --- quiet hours and the card -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "now", "expected"),
    [
        (CENTRE, msk(2026, 5, 20, 18, 5), msk(2026, 5, 21, 9)),  # evening: next morning
        (CENTRE, msk(2026, 5, 20, 13, 30), msk(2026, 5, 20, 14)),  # the break
        (CENTRE, msk(2026, 5, 20, 11), msk(2026, 5, 20, 11)),  # working time: at once
        (CENTRE, msk(2026, 4, 30, 17, 30), msk(2026, 5, 4, 9)),  # after the short day, holidays
        (CENTRE, msk(2026, 5, 8, 18, 5), msk(2026, 5, 12, 9)),  # Fri before May 9-11 off
        (NOVOSIBIRSK, nsk(2026, 5, 20, 18, 5), nsk(2026, 5, 21, 9)),
        (ALWAYS, msk(2026, 5, 9, 3), msk(2026, 5, 9, 3)),  # 24/7 holds nothing
    ],
)
def test_quiet_hours_hold_alerts_until_the_readers_next_working_moment(
    calendar: WorkingCalendar, now: datetime, expected: datetime
) -> None:
    assert quiet_until(calendar, now, Importance.NORMAL, POLICY) == expected


def test_high_importance_and_quiet_hours_off_send_at_once() -> None:
    evening = msk(2026, 5, 20, 18, 5)
    assert quiet_until(CENTRE, evening, Importance.HIGH, POLICY) == evening
    off = AlertPolicy(quiet_hours=False)
    assert quiet_until(CENTRE, evening, Importance.NORMAL, off) == evening


def test_overdue_deadlines_for_the_card() -> None:
    route = deadline(DeadlineKind.ROUTE, Party.CENTRE, msk(2026, 5, 20, 10), msk(2026, 5, 20, 11))
    met = dataclasses.replace(
        route, kind=DeadlineKind.REVIEW, due_at=msk(2026, 5, 20, 10, 30), state=DeadlineState.MET
    )
    value = incident(ANSWER, route, met)
    assert overdue_deadlines(value, msk(2026, 5, 20, 11)) == ()  # due this moment: not yet
    assert overdue_deadlines(value, msk(2026, 5, 20, 11, 1)) == (route,)
    assert overdue_deadlines(value, msk(2026, 5, 20, 13, 1)) == (route, ANSWER)


def test_digest_time_is_part_of_the_policy() -> None:
    assert POLICY.digest_time == time(9, 0)
    assert POLICY.weekly_digest_weekday == 0
