"""п.14: the curator approves or returns with reasons within 30 minutes; п.15: resubmission."""

from __future__ import annotations

from workflow.commands import review, route, submit_draft
from workflow.effects import Addressee
from workflow.errors import RefusalCode
from workflow.model import (
    DeadlineKind,
    DeadlineState,
    DraftKind,
    DraftStatus,
    Party,
    ReturnReason,
)

from .conftest import ANSWER_TEXT, CURATOR, DEPUTY, PARKS, ROADS, msk, nsk

WHERE = {"topic": "Дороги", "location": "ул. Ленина"}


MONDAY_9 = msk(2026, 4, 27, 9, 0)


def with_draft(flow_at, org: str, actor, submitted_at, detected=MONDAY_9):
    flow = flow_at(detected)
    flow.after(minutes=10).do(route, CURATOR, org_codes=[org], **WHERE)
    flow.at(submitted_at).do(submit_draft, actor, kind=DraftKind.ANSWER, text=ANSWER_TEXT)
    return flow


def test_p14_curator_reviews_within_30_working_minutes(flow_at):
    flow = with_draft(flow_at, "parks", PARKS, msk(2026, 4, 27, 12, 45))

    review_deadline = flow.deadline(DeadlineKind.REVIEW)

    assert review_deadline.party is Party.CENTRE
    assert review_deadline.due_at == msk(2026, 4, 27, 14, 15)  # the lunch hour does not count


def test_p14_approval_meets_the_review_deadline(flow_at):
    flow = with_draft(flow_at, "parks", PARKS, msk(2026, 4, 27, 10, 0))

    outcome = flow.after(minutes=20).do(review, DEPUTY, draft_id=1, approve=True)

    draft = flow.incident.drafts[0]
    assert draft.status is DraftStatus.APPROVED
    assert draft.reviews[-1].approved and draft.reviews[-1].reviewer_id == DEPUTY.person_id
    assert flow.deadline(DeadlineKind.REVIEW, state=DeadlineState.MET).ended_at == flow.now
    assert outcome.messages[0].to == Addressee.person(PARKS.person_id)
    assert outcome.messages[0].key == "draft.approved"


def test_p14_return_needs_one_of_the_four_reasons(flow_at):
    flow = with_draft(flow_at, "parks", PARKS, msk(2026, 4, 27, 10, 0)).after(minutes=5)

    flow.refused(review, CURATOR, RefusalCode.EMPTY_REASONS, draft_id=1, approve=False)
    flow.refused(
        review,
        CURATOR,
        RefusalCode.UNEXPECTED_REASONS,
        draft_id=1,
        approve=True,
        reasons=[ReturnReason.SPELLING],
    )
    flow.refused(review, PARKS, RefusalCode.NOT_ALLOWED, draft_id=1, approve=True)
    flow.refused(review, CURATOR, RefusalCode.NO_SUCH_DRAFT, draft_id=7, approve=True)

    outcome = flow.do(
        review,
        CURATOR,
        draft_id=1,
        approve=False,
        reasons=[ReturnReason.OFF_TOPIC, ReturnReason.REDIRECTS, ReturnReason.OFF_TOPIC],
        comment="Ответьте по существу, не отсылайте в другой орган",
    )

    draft = flow.incident.drafts[0]
    assert draft.status is DraftStatus.RETURNED
    assert draft.reviews[-1].reasons == (ReturnReason.OFF_TOPIC, ReturnReason.REDIRECTS)
    assert draft.reviews[-1].comment == "Ответьте по существу, не отсылайте в другой орган"
    assert outcome.messages[0].key == "draft.returned"
    assert outcome.messages[0].params["reasons"] == ["off_topic", "redirects"]
    flow.refused(review, CURATOR, RefusalCode.DRAFT_NOT_PENDING, draft_id=1, approve=True)


def test_p15_returned_draft_resubmitted_within_30_min(flow_at):
    # Submitted at 17:40 Novosibirsk time, returned at 17:50: 10 minutes left that day.
    flow = with_draft(flow_at, "roads", ROADS, nsk(2026, 4, 27, 17, 40), msk(2026, 4, 27, 13, 20))
    flow.at(nsk(2026, 4, 27, 17, 50)).do(
        review, CURATOR, draft_id=1, approve=False, reasons=[ReturnReason.SPELLING]
    )
    resubmit = flow.deadline(DeadlineKind.RESUBMIT, "roads")
    assert resubmit.party is Party.ORGANISATION
    assert resubmit.due_at == nsk(2026, 4, 28, 9, 20)
    assert resubmit.draft_id == 1

    outcome = flow.at(nsk(2026, 4, 28, 9, 5)).do(
        submit_draft, ROADS, kind=DraftKind.ANSWER, text=ANSWER_TEXT + " Спасибо."
    )

    first, second = flow.incident.drafts
    assert (first.version, first.status) == (1, DraftStatus.RETURNED)  # history stays readable
    assert (second.version, second.status) == (2, DraftStatus.PENDING)
    assert outcome.events[0].facts["resubmits"] == 1
    met = flow.deadline(DeadlineKind.RESUBMIT, "roads", DeadlineState.MET)
    assert met.ended_at <= met.due_at
    assert flow.deadline(DeadlineKind.REVIEW).draft_id == second.id


def test_p14_p15_any_number_of_rounds(flow_at):
    flow = with_draft(flow_at, "parks", PARKS, msk(2026, 4, 27, 9, 30))
    for round_number in range(1, 4):
        flow.after(minutes=10).do(
            review, CURATOR, draft_id=round_number, approve=False, reasons=[ReturnReason.FORMAT]
        )
        flow.after(minutes=10).do(
            submit_draft, PARKS, kind=DraftKind.ANSWER, text=f"{ANSWER_TEXT} ({round_number})"
        )
    flow.after(minutes=10).do(review, CURATOR, draft_id=4, approve=True)

    assert [(d.version, d.status) for d in flow.incident.drafts] == [
        (1, DraftStatus.RETURNED),
        (2, DraftStatus.RETURNED),
        (3, DraftStatus.RETURNED),
        (4, DraftStatus.APPROVED),
    ]
    assert len(flow.deadlines(DeadlineKind.RESUBMIT, state=DeadlineState.MET)) == 3
