"""п.14: the curator approves a draft or returns it with reasons; п.15 and п.16 follow."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from workflow.calendars import Calendars
from workflow.commands.base import (
    as_utc,
    assignment_of,
    draft_by_id,
    finish,
    iso,
    lengths,
    meet,
    optional_text,
    passes,
    refuse,
    require_curator,
    require_open,
    running,
    start,
    with_draft,
)
from workflow.commands.clocks import step_due
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.model import (
    DeadlineKind,
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    Party,
    ReturnReason,
    Review,
)
from workflow.policy import Policy, Publisher

NAME = "review"


def check_reviewable(draft: Draft) -> None:
    """п.14: the curator reviews answers, interim answers and clarifications waiting for it."""
    if draft.kind is DraftKind.INFO or draft.status is not DraftStatus.PENDING:
        refuse(RefusalCode.DRAFT_NOT_PENDING, f"draft {draft.id} is {draft.status.value}")


def reviewable_drafts(incident: Incident) -> tuple[int, ...]:
    return tuple(d.id for d in incident.drafts if passes(check_reviewable, d))


def check_review(incident: Incident, actor: Actor) -> None:
    require_open(incident)
    require_curator(actor)


def may_review(incident: Incident, actor: Actor) -> None:
    """The curator, with a draft waiting for review."""
    check_review(incident, actor)
    if not reviewable_drafts(incident):
        refuse(RefusalCode.DRAFT_NOT_PENDING, "no draft waits for review")


def review(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    draft_id: int,
    approve: bool,
    reasons: Sequence[ReturnReason] = (),
    comment: str | None = None,
) -> Outcome:
    now = as_utc(now)
    check_review(incident, actor)
    draft = draft_by_id(incident, draft_id)
    check_reviewable(draft)
    reasons = tuple(dict.fromkeys(ReturnReason(reason) for reason in reasons))
    comment = optional_text(comment)
    if approve and reasons:
        refuse(RefusalCode.UNEXPECTED_REASONS, "an approval has no return reasons")
    if not approve and not reasons:
        # п.14: a return names at least one of the four reasons.
        refuse(RefusalCode.EMPTY_REASONS)

    before = incident
    steps = lengths(incident, policy)
    code = draft.org_code
    incident = meet(incident, running(incident, DeadlineKind.REVIEW, draft_id=draft.id), now)
    verdict = Review(
        reviewer_id=actor.person_id, at=now, approved=approve, reasons=reasons, comment=comment
    )
    holder = assignment_of(incident, code)
    to_executor = (
        Addressee.person(holder.holder_id)
        if holder is not None and holder.holder_id is not None
        else Addressee.organisation(code)
    )
    params: dict[str, Any] = {
        "draft_id": draft.id,
        "kind": draft.kind.value,
        "version": draft.version,
        "org_code": code,
        "comment": comment,
    }
    messages: list[Message] = []
    if approve:
        incident = with_draft(
            incident,
            dataclasses.replace(
                draft, status=DraftStatus.APPROVED, reviews=(*draft.reviews, verdict)
            ),
        )
        # п.16: published where the incident was posted within 30 working minutes; counted on
        # the calendar of whoever publishes (policy: the executor or the centre).
        party = Party.CENTRE if policy.publisher is Publisher.CENTRE else Party.ORGANISATION
        publish_due = step_due(
            incident, DeadlineKind.PUBLISH, party, code, now, steps.publish, policy, calendars
        )
        incident = start(
            incident,
            DeadlineKind.PUBLISH,
            party,
            publish_due,
            now,
            org_code=code,
            draft_id=draft.id,
        )
        params["publish_due_at"] = iso(publish_due)
        params["publisher"] = policy.publisher.value
        if party is Party.CENTRE:
            # The executor learns the centre publishes it: not told to publish what they may not.
            messages.append(Message(to_executor, "draft.approved_centre_publishes", params))
            messages.append(Message(Addressee.curators(), "draft.to_publish", params))
        else:
            messages.append(Message(to_executor, "draft.approved", params))
    else:
        incident = with_draft(
            incident,
            dataclasses.replace(
                draft, status=DraftStatus.RETURNED, reviews=(*draft.reviews, verdict)
            ),
        )
        # п.15: the executor resubmits within 30 working minutes of the return.
        resubmit_due = step_due(
            incident,
            DeadlineKind.RESUBMIT,
            Party.ORGANISATION,
            code,
            now,
            steps.resubmit,
            policy,
            calendars,
        )
        incident = start(
            incident,
            DeadlineKind.RESUBMIT,
            Party.ORGANISATION,
            resubmit_due,
            now,
            org_code=code,
            draft_id=draft.id,
        )
        params["reasons"] = [reason.value for reason in reasons]
        params["resubmit_due_at"] = iso(resubmit_due)
        messages.append(Message(to_executor, "draft.returned", params))
    return finish(
        NAME,
        before,
        incident,
        actor,
        now,
        {
            "draft_id": draft.id,
            "approve": approve,
            "reasons": [reason.value for reason in reasons],
            "comment": comment,
        },
        {"org_code": code, "kind": draft.kind.value, "version": draft.version},
        messages,
    )
