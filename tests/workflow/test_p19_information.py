"""п.19 done right: the information reaches the curator and the consolidator with its media;
a silent organisation is withdrawn; the consolidator is chosen once information is in."""

from __future__ import annotations

from workflow.commands import (
    WithdrawOrganisation,
    confirm_publication,
    pick_consolidator,
    review,
    route,
    submit_draft,
    withdraw_organisation,
)
from workflow.effects import Addressee
from workflow.errors import RefusalCode
from workflow.model import (
    AssignmentStatus,
    DeadlineKind,
    DeadlineState,
    DraftKind,
    IncidentStatus,
    Media,
    MediaKind,
)
from workflow.replay import replay

from .conftest import ANSWER_TEXT, CURATOR, PARKS, ROADS, msk

WHERE = {"topic": "Благоустройство", "location": "ул. Ленина"}
PHOTO = Media(MediaKind.PHOTO, "AgAD-square")


def routed_to_two(flow_at):
    flow = flow_at(msk(2026, 4, 27, 11, 0))
    flow.at(msk(2026, 4, 27, 11, 20)).do(route, CURATOR, org_codes=["roads", "parks"], **WHERE)
    return flow


def test_p19_silent_organisation_withdrawn_and_the_consolidated_answer_published(flow_at):
    flow = routed_to_two(flow_at)
    flow.after(minutes=20).do(submit_draft, PARKS, kind=DraftKind.INFO, text="Сквер убираем")
    flow.refused(
        withdraw_organisation, CURATOR, RefusalCode.MISSING_COMMENT, org_code="roads", comment=" "
    )
    flow.refused(
        withdraw_organisation, ROADS, RefusalCode.NOT_ALLOWED, org_code="roads", comment="x"
    )
    # parks has answered: only a silent organisation is withdrawn.
    flow.refused(
        withdraw_organisation, CURATOR, RefusalCode.NOT_ASSIGNED, org_code="parks", comment="x"
    )

    outcome = flow.after(minutes=30).do(
        WithdrawOrganisation("roads", "Не отвечают, информации от парков достаточно"), CURATOR
    )

    roads = next(a for a in flow.incident.assignments if a.org_code == "roads")
    assert roads.status is AssignmentStatus.WITHDRAWN
    assert not [d for d in flow.incident.deadlines if d.running and d.org_code == "roads"]
    assert flow.deadline(DeadlineKind.INFO, "roads", DeadlineState.CANCELLED)
    assert [(m.to, m.key) for m in outcome.messages] == [
        (Addressee.organisation("roads"), "incident.withdrawn_from")
    ]
    flow.refused(
        withdraw_organisation, CURATOR, RefusalCode.NOT_ASSIGNED, org_code="roads", comment="x"
    )

    flow.after(minutes=5).do(pick_consolidator, CURATOR, org_code="parks")
    flow.after(minutes=10).do(submit_draft, PARKS, kind=DraftKind.ANSWER, text=ANSWER_TEXT)
    draft_id = flow.draft_id()
    flow.after(minutes=10).do(review, CURATOR, draft_id=draft_id, approve=True)
    flow.after(minutes=10).do(confirm_publication, PARKS, draft_id=draft_id, url="https://vk.com/a")

    assert flow.incident.status is IncidentStatus.ANSWERED
    assert replay(flow.events, flow.policy, flow.calendars) == flow.incident


def test_p19_the_last_organisation_is_not_withdrawn_nor_one_of_a_single_routing(flow_at):
    flow = flow_at(msk(2026, 4, 27, 11, 0))
    flow.after(minutes=5).do(route, CURATOR, org_codes=["parks"], **WHERE)
    flow.refused(
        withdraw_organisation, CURATOR, RefusalCode.WRONG_STATE, org_code="parks", comment="x"
    )


def test_p19_consolidator_sees_the_other_organisations_information_with_its_media(flow_at):
    flow = routed_to_two(flow_at)
    info = flow.after(minutes=20).do(
        submit_draft, PARKS, kind=DraftKind.INFO, text="Сквер убираем по четвергам", media=(PHOTO,)
    )
    (to_curator,) = info.messages
    assert to_curator.to == Addressee.curators() and to_curator.key == "info.forwarded"
    assert to_curator.params["text"] == "Сквер убираем по четвергам"
    assert to_curator.params["media"] == [
        {"kind": "photo", "file_id": PHOTO.file_id, "caption": None}
    ]

    # Chosen as soon as one organisation's information is in (roads has sent nothing).
    picked = flow.after(minutes=5).do(pick_consolidator, CURATOR, org_code="roads")

    to_roads = [m for m in picked.messages if m.to == Addressee.organisation("roads")]
    assert [m.key for m in to_roads] == ["incident.consolidator_picked", "info.forwarded"]
    assert to_roads[1].params["org_code"] == "parks"
    assert to_roads[1].params["media"][0]["file_id"] == PHOTO.file_id
    roads = next(a for a in flow.incident.assignments if a.org_code == "roads")
    assert roads.consolidator and roads.status is AssignmentStatus.SENT
    assert flow.deadline(DeadlineKind.INFO, "roads", DeadlineState.CANCELLED)


def test_p19_information_arriving_after_the_choice_goes_on_to_the_consolidator(flow_at):
    flow = routed_to_two(flow_at)
    flow.after(minutes=20).do(submit_draft, ROADS, kind=DraftKind.INFO, text="Ремонт в мае")
    flow.after(minutes=5).do(pick_consolidator, CURATOR, org_code="roads")

    late = flow.after(minutes=30).do(submit_draft, PARKS, kind=DraftKind.INFO, text="Сквер убираем")

    assert {(m.to, m.key) for m in late.messages} == {
        (Addressee.curators(), "info.forwarded"),
        (Addressee.organisation("roads"), "info.forwarded"),
    }
    assert late.events[0].facts["all_info_in"] is True
