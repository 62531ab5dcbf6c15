"""п.10: the curator dismisses a post that needs no answer, with its ground; not п.21."""

from __future__ import annotations

from workflow.commands import Dismiss, Reopen, dismiss, route, submit_draft
from workflow.errors import RefusalCode
from workflow.model import (
    AssignmentStatus,
    DismissalGround,
    DraftKind,
    DraftStatus,
    IncidentStatus,
)
from workflow.policy import Policy
from workflow.replay import replay

from .conftest import ANSWER_TEXT, CURATOR, DEPUTY, PARKS, msk

WHERE = {"topic": "Дороги", "location": "ул. Ленина"}


def test_p10_thanks_dismissed_with_its_ground_recorded_and_every_clock_stopped(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))

    outcome = flow.after(minutes=5).do(Dismiss("gratitude"), DEPUTY)

    incident = flow.incident
    assert incident.status is IncidentStatus.DISMISSED
    assert incident.status is not IncidentStatus.CLOSED_NO_ANSWER and not incident.no_answer_reason
    assert incident.dismissal_ground == DismissalGround.GRATITUDE.value
    assert incident.dismissal_duplicate_of is None
    assert not [d for d in incident.deadlines if d.running]
    (event,) = outcome.events
    assert (event.command, event.actor_id, event.at) == ("dismiss", DEPUTY.person_id, flow.now)
    assert event.args["ground"] == "gratitude"
    assert replay(flow.events, flow.policy, flow.calendars) == incident


def test_p10_a_duplicate_keeps_the_number_of_the_incident_it_repeats(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))
    flow.refused(dismiss, CURATOR, RefusalCode.MISSING_DUPLICATE, ground="duplicate")
    flow.refused(
        dismiss, CURATOR, RefusalCode.MISSING_DUPLICATE, ground="duplicate", duplicate_of=1
    )
    flow.refused(dismiss, CURATOR, RefusalCode.MISSING_DUPLICATE, ground="spam", duplicate_of=7)

    flow.do(dismiss, CURATOR, ground="duplicate", duplicate_of=7)

    assert (flow.incident.dismissal_ground, flow.incident.dismissal_duplicate_of) == (
        "duplicate",
        7,
    )


def test_p10_only_curators_dismiss_and_only_on_the_policys_grounds(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0), policy=Policy(dismissal_grounds=(DismissalGround.SPAM,)))
    flow.refused(dismiss, PARKS, RefusalCode.NOT_ALLOWED, ground="spam")
    error = flow.refused(dismiss, CURATOR, RefusalCode.UNKNOWN_GROUND, ground="gratitude")
    assert error.params == {"ground": "gratitude"}
    flow.refused(dismiss, CURATOR, RefusalCode.UNKNOWN_GROUND, ground="nonsense")
    flow.do(dismiss, CURATOR, ground="spam")
    flow.refused(dismiss, CURATOR, RefusalCode.CLOSED, ground="spam")


def test_p10_dismissal_after_routing_withdraws_the_organisations_and_tells_them(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))
    flow.after(minutes=10).do(route, CURATOR, org_codes=["parks"], **WHERE)
    flow.after(minutes=10).do(submit_draft, PARKS, kind=DraftKind.ANSWER, text=ANSWER_TEXT)

    outcome = flow.after(minutes=5).do(dismiss, CURATOR, ground="off_topic", comment="Не к нам")

    assert flow.incident.assignments[0].status is AssignmentStatus.WITHDRAWN
    assert flow.incident.drafts[0].status is DraftStatus.SUPERSEDED
    assert [(m.to.org_code, m.key) for m in outcome.messages] == [("parks", "incident.dismissed")]
    assert outcome.messages[0].params["comment"] == "Не к нам"


def test_p10_a_dismissed_incident_is_reopened_to_the_curator(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))
    flow.after(minutes=5).do(dismiss, CURATOR, ground="gratitude")

    flow.after(minutes=30).do(Reopen("Автор задал вопрос в ответе"), CURATOR)

    assert flow.incident.status is IncidentStatus.NEW
    assert flow.incident.dismissal_ground is None
    assert replay(flow.events, flow.policy, flow.calendars) == flow.incident
