"""Drafts: п.12 (draft or interim before the answer deadline), п.13 (clarification), п.20."""

from __future__ import annotations

from workflow.commands import confirm_publication, review, route, submit_draft, take
from workflow.errors import RefusalCode
from workflow.model import (
    AssignmentStatus,
    DeadlineKind,
    DeadlineState,
    DraftKind,
    DraftStatus,
    IncidentStatus,
    Media,
    MediaKind,
    Party,
)

from .conftest import ANSWER_TEXT, CURATOR, PARKS, ROADS, msk, nsk

WHERE = {"topic": "Дороги", "location": "ул. Ленина"}


MONDAY_9 = msk(2026, 4, 27, 9, 0)


def routed(flow_at, org: str, detected=MONDAY_9, minutes: int = 10):
    flow = flow_at(detected)
    flow.after(minutes=minutes).do(route, CURATOR, org_codes=[org], **WHERE)
    return flow


def test_p12_draft_due_thirty_working_minutes_before_answer_deadline_on_the_org_calendar(flow_at):
    # Detected on Friday at 15:40 Moscow time: the answer is due on Monday at 09:40.
    parks = routed(flow_at, "parks", msk(2026, 4, 24, 15, 40))
    roads = routed(flow_at, "roads", msk(2026, 4, 24, 15, 40))

    assert parks.deadline(DeadlineKind.ANSWER).due_at == msk(2026, 4, 27, 9, 40)
    assert parks.deadline(DeadlineKind.DRAFT, "parks").due_at == msk(2026, 4, 27, 9, 10)
    # 09:40 Moscow is 13:40 in Novosibirsk, in its lunch break: 30 working minutes earlier
    # is 12:30 there, before the break.
    draft = roads.deadline(DeadlineKind.DRAFT, "roads")
    assert draft.party is Party.ORGANISATION
    assert draft.due_at == nsk(2026, 4, 27, 12, 30)


def test_p12_draft_submission_meets_the_draft_deadline_and_goes_to_review(flow_at):
    flow = routed(flow_at, "parks")

    outcome = flow.after(minutes=30).do(
        submit_draft, PARKS, kind=DraftKind.ANSWER, text=ANSWER_TEXT
    )

    (draft,) = flow.incident.drafts
    assert (draft.kind, draft.version, draft.status) == (DraftKind.ANSWER, 1, DraftStatus.PENDING)
    assert draft.author_id == PARKS.person_id
    # Sending the draft without taking first takes it implicitly.
    assert flow.incident.assignments[0].holder_id == PARKS.person_id
    assert flow.incident.assignments[0].status is AssignmentStatus.TAKEN
    assert {d.kind for d in outcome.stopped_deadlines} == {DeadlineKind.RESPOND, DeadlineKind.DRAFT}
    assert flow.deadline(DeadlineKind.DRAFT, "parks", DeadlineState.MET).ended_at == flow.now
    review_deadline = flow.deadline(DeadlineKind.REVIEW)
    assert review_deadline.draft_id == draft.id
    assert outcome.messages[0].key == "draft.submitted"


def test_p12_interim_answer_goes_the_same_way(flow_at):
    flow = routed(flow_at, "parks")
    flow.after(minutes=5).do(take, PARKS)

    flow.after(minutes=30).do(submit_draft, PARKS, kind=DraftKind.INTERIM, text="Вопрос в работе.")

    assert flow.incident.drafts[0].kind is DraftKind.INTERIM
    assert flow.deadline(DeadlineKind.DRAFT, "parks", DeadlineState.MET)
    assert flow.deadline(DeadlineKind.REVIEW).draft_id == 1


def test_p12_one_draft_in_review_at_a_time(flow_at):
    flow = routed(flow_at, "parks")
    flow.after(minutes=5).do(submit_draft, PARKS, kind=DraftKind.ANSWER, text=ANSWER_TEXT)

    flow.refused(
        submit_draft, PARKS, RefusalCode.DRAFT_IN_PROGRESS, kind=DraftKind.INTERIM, text="Работаем."
    )
    flow.refused(submit_draft, ROADS, RefusalCode.NOT_ASSIGNED, kind=DraftKind.ANSWER, text="Да.")
    flow.refused(submit_draft, PARKS, RefusalCode.WRONG_STATE, kind=DraftKind.INFO, text="Да.")


def test_p13_clarification_within_30_min_is_reviewed_and_put_to_the_author(flow_at):
    flow = routed(flow_at, "roads")  # received at 09:10 Moscow, 13:10 Novosibirsk (lunch)
    answer_due = flow.deadline(DeadlineKind.ANSWER).due_at

    outcome = flow.at(nsk(2026, 4, 27, 14, 20)).do(
        submit_draft, ROADS, kind=DraftKind.CLARIFICATION, text="Уточните, пожалуйста, адрес."
    )
    assert outcome.events[0].facts["p13_late"] is False  # 20 working minutes in Novosibirsk
    assert flow.deadline(DeadlineKind.RESPOND, "roads", DeadlineState.MET)
    assert flow.deadline(DeadlineKind.DRAFT, "roads").running  # the answer is still due
    clarification = flow.draft_id()
    assert flow.deadline(DeadlineKind.REVIEW).draft_id == clarification

    flow.after(minutes=10).do(review, CURATOR, draft_id=clarification, approve=True)
    flow.after(minutes=10).do(
        confirm_publication, ROADS, draft_id=clarification, url="https://vk.com/wall-1_100?r=1"
    )

    assert flow.incident.status is IncidentStatus.IN_WORK
    assert flow.incident.drafts[0].status is DraftStatus.PUBLISHED
    # Asking the author does not stop the п.9 clock.
    assert flow.deadline(DeadlineKind.ANSWER).due_at == answer_due
    # And the answer itself still follows.
    flow.after(minutes=5).do(submit_draft, ROADS, kind=DraftKind.ANSWER, text=ANSWER_TEXT)
    assert flow.incident.drafts[-1].status is DraftStatus.PENDING


def test_p13_late_clarification_is_recorded(flow_at):
    flow = routed(flow_at, "parks")

    outcome = flow.after(minutes=45).do(
        submit_draft, PARKS, kind=DraftKind.CLARIFICATION, text="Уточните адрес."
    )

    assert outcome.events[0].facts["p13_late"] is True


def test_p20_answer_must_have_text_in_russian(flow_at):
    flow = routed(flow_at, "parks").after(minutes=5)

    flow.refused(submit_draft, PARKS, RefusalCode.EMPTY_TEXT, kind=DraftKind.ANSWER, text=" \n")
    flow.refused(
        submit_draft, PARKS, RefusalCode.NOT_RUSSIAN, kind=DraftKind.ANSWER, text="Fixed, thanks"
    )


def test_p20_photos_videos_and_documents_may_support_the_answer(flow_at):
    flow = routed(flow_at, "parks").after(minutes=5)
    media = (
        Media(MediaKind.PHOTO, "AgAD-photo", "После ремонта"),
        Media(MediaKind.VIDEO, "BAAD-video"),
        Media(MediaKind.DOCUMENT, "BQAD-doc"),
    )

    flow.refused(
        submit_draft,
        PARKS,
        RefusalCode.BAD_MEDIA,
        kind=DraftKind.ANSWER,
        text=ANSWER_TEXT,
        media=(Media(MediaKind.PHOTO, " "),),
    )
    flow.do(submit_draft, PARKS, kind=DraftKind.ANSWER, text=ANSWER_TEXT, media=media)

    assert flow.incident.drafts[0].media == media


def test_p22_the_draft_clocks_are_the_executor_s(flow_at):
    # п.22: the executor answers for the draft and its timeliness: those clocks are the
    # organisation's, counted on its calendar, and its responsible official is alerted.
    flow = routed(flow_at, "roads")
    organisation_clocks = {DeadlineKind.RESPOND, DeadlineKind.DRAFT}

    assert {d.kind for d in flow.incident.deadlines if d.party is Party.ORGANISATION} == (
        organisation_clocks
    )
    assert all(
        d.org_code == "roads" for d in flow.incident.deadlines if d.kind in organisation_clocks
    )
