"""п.21: no answer to threats, obscenity and insults; the decision is recorded. Reopening."""

from __future__ import annotations

from workflow.commands import (
    close_no_answer,
    confirm_publication,
    decline,
    reopen,
    review,
    route,
    set_importance,
    submit_draft,
    take,
)
from workflow.errors import RefusalCode
from workflow.model import (
    AssignmentStatus,
    DeadlineKind,
    DeadlineState,
    DraftKind,
    DraftStatus,
    Importance,
    IncidentStatus,
    NoAnswerReason,
)

from .conftest import ANSWER_TEXT, CURATOR, PARKS, msk

WHERE = {"topic": "Дороги", "location": "ул. Ленина"}


def in_work(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))
    flow.after(minutes=10).do(route, CURATOR, org_codes=["parks"], **WHERE)
    flow.after(minutes=10).do(submit_draft, PARKS, kind=DraftKind.ANSWER, text=ANSWER_TEXT)
    return flow


def test_p21_curator_closes_without_answer_with_the_reason_recorded(flow_at):
    flow = in_work(flow_at).after(minutes=5)
    flow.refused(close_no_answer, PARKS, RefusalCode.NOT_ALLOWED, reason=NoAnswerReason.THREAT)

    outcome = flow.do(
        close_no_answer, CURATOR, reason=NoAnswerReason.OBSCENE, comment="Нецензурная брань"
    )

    incident = flow.incident
    assert incident.status is IncidentStatus.CLOSED_NO_ANSWER
    assert incident.no_answer_reason is NoAnswerReason.OBSCENE
    assert not [d for d in incident.deadlines if d.running]
    assert {d.state for d in outcome.stopped_deadlines} == {DeadlineState.CANCELLED}
    assert incident.drafts[0].status is DraftStatus.SUPERSEDED
    assert incident.assignments[0].status is AssignmentStatus.WITHDRAWN
    (event,) = outcome.events
    assert event.command == "close_no_answer"
    assert event.args == {"reason": "obscene", "comment": "Нецензурная брань"}
    assert event.actor == CURATOR
    assert {m.key for m in outcome.messages} == {"incident.closed_no_answer"}


def test_p21_closed_incident_accepts_nothing_but_reopening(flow_at):
    flow = in_work(flow_at).after(minutes=5)
    flow.do(close_no_answer, CURATOR, reason=NoAnswerReason.INTENT_TO_HARM)

    flow.refused(route, CURATOR, RefusalCode.CLOSED, org_codes=["roads"], **WHERE)
    flow.refused(take, PARKS, RefusalCode.CLOSED)
    flow.refused(decline, PARKS, RefusalCode.CLOSED, comment="Не наш")
    flow.refused(submit_draft, PARKS, RefusalCode.CLOSED, kind=DraftKind.ANSWER, text=ANSWER_TEXT)
    flow.refused(review, CURATOR, RefusalCode.CLOSED, draft_id=1, approve=True)
    flow.refused(confirm_publication, PARKS, RefusalCode.CLOSED, draft_id=1, url="https://x")
    flow.refused(set_importance, CURATOR, RefusalCode.CLOSED, importance=Importance.HIGH)
    flow.refused(close_no_answer, CURATOR, RefusalCode.CLOSED, reason=NoAnswerReason.THREAT)
    flow.refused(reopen, PARKS, RefusalCode.NOT_ALLOWED, comment="Автор извинился")
    flow.refused(reopen, CURATOR, RefusalCode.MISSING_COMMENT, comment="")
    flow.do(reopen, CURATOR, comment="Автор извинился, вопрос по существу")
    assert flow.incident.status is IncidentStatus.NEW


def test_reopen_starts_a_fresh_answer_clock_from_the_reopening(flow_at):
    flow = in_work(flow_at).after(minutes=5)
    flow.do(close_no_answer, CURATOR, reason=NoAnswerReason.THREAT)

    flow.at(msk(2026, 4, 28, 10, 10)).do(reopen, CURATOR, comment="Ошиблись с оценкой")

    incident = flow.incident
    assert incident.no_answer_reason is None
    assert flow.deadline(DeadlineKind.ANSWER).due_at == msk(2026, 4, 28, 14, 10)
    assert flow.deadline(DeadlineKind.ANSWER).started_at == msk(2026, 4, 28, 10, 10)
    assert flow.deadline(DeadlineKind.ROUTE).due_at == msk(2026, 4, 28, 11, 10)
    # Routed again, even to the same organisation; the old drafts stay as history.
    flow.after(minutes=10).do(route, CURATOR, org_codes=["parks"], **WHERE)
    assert incident.drafts[0].status is DraftStatus.SUPERSEDED
    assert flow.incident.assignments[0].status is AssignmentStatus.SENT


def test_reopen_applies_to_finished_incidents_only(flow_at):
    flow = in_work(flow_at).after(minutes=5)

    flow.refused(reopen, CURATOR, RefusalCode.WRONG_STATE, comment="Рано")
