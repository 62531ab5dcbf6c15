"""An executor sends a draft answer, an interim answer, a clarification or п.19 information."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from workflow.calendars import Calendars
from workflow.commands.base import (
    CYRILLIC,
    LIVE_DRAFTS,
    as_utc,
    check_may_work_on,
    finish,
    hold,
    iso,
    lengths,
    live_assignment,
    live_assignments,
    meet,
    refuse,
    require_routed,
    running,
    start,
    with_assignment,
    with_draft,
)
from workflow.commands.clocks import step_due
from workflow.commands.codec import media_to_json
from workflow.commands.consolidation import consolidator_of, info_message
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.model import (
    Assignment,
    AssignmentStatus,
    DeadlineKind,
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    IncidentStatus,
    Media,
    MediaKind,
    Party,
)
from workflow.policy import Policy

NAME = "submit_draft"

# Drafts of one lane follow each other: one in review or waiting to be published at a time.
ANSWER_LANE: frozenset[DraftKind] = frozenset({DraftKind.ANSWER, DraftKind.INTERIM})


def lane(kind: DraftKind) -> frozenset[DraftKind]:
    return ANSWER_LANE if kind in ANSWER_LANE else frozenset({kind})


def check_content(kind: DraftKind, text: str, media: Sequence[Media]) -> None:
    """п.20, what can be checked: there is text, in Russian, and the media are photos, videos
    or documents. Substance, tone and spelling are for the curator (п.14)."""
    if not text.strip():
        refuse(RefusalCode.EMPTY_TEXT)
    if kind is not DraftKind.INFO and not CYRILLIC.search(text):
        refuse(RefusalCode.NOT_RUSSIAN, "the answer must be in Russian (п.20)")
    for item in media:
        if not isinstance(item.kind, MediaKind) or not item.file_id.strip():
            refuse(RefusalCode.BAD_MEDIA, "photo, video or document with a file id")


def check_submit(
    incident: Incident, actor: Actor, kind: DraftKind, org_code: str | None = None
) -> Assignment:
    """Who may send a text of this kind now, whatever the text: the organisation's live
    assignment it goes on."""
    require_routed(incident)
    assignment = live_assignment(incident, actor, org_code)
    check_may_work_on(assignment, actor)
    code = assignment.org_code
    _check_kind_fits(incident, kind, assignment.consolidator)
    if any(
        d.org_code == code and d.kind in lane(kind) and d.status in LIVE_DRAFTS
        for d in incident.drafts
    ):
        refuse(RefusalCode.DRAFT_IN_PROGRESS, f"a {kind.value} draft is already on its way")
    return assignment


def submit_draft(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    kind: DraftKind,
    text: str,
    media: Sequence[Media] = (),
    org_code: str | None = None,
) -> Outcome:
    now = as_utc(now)
    kind = DraftKind(kind)
    media = tuple(media)
    assignment = check_submit(incident, actor, kind, org_code)
    code = assignment.org_code
    check_content(kind, text, media)

    before = incident
    steps = lengths(incident, policy)
    previous = [d for d in incident.drafts if d.org_code == code and d.kind is kind]
    draft = Draft(
        id=len(incident.drafts) + 1,
        org_code=code,
        kind=kind,
        version=len(previous) + 1,
        text=text.strip(),
        author_id=actor.person_id,
        submitted_at=now,
        status=DraftStatus.ACCEPTED if kind is DraftKind.INFO else DraftStatus.PENDING,
        media=media,
    )
    held = hold(assignment, actor)
    facts: dict[str, Any] = {"draft_id": draft.id, "version": draft.version, "org_code": code}
    # Sending anything is the organisation's response (п.11 / п.13).
    incident = meet(incident, running(incident, DeadlineKind.RESPOND, org_code=code), now)
    messages: list[Message] = []

    if kind is DraftKind.INFO:
        # п.19: the organisation's information for the consolidated answer; a newer version
        # replaces the older one.
        incident = dataclasses.replace(
            incident,
            drafts=tuple(
                dataclasses.replace(d, status=DraftStatus.SUPERSEDED)
                if d.org_code == code
                and d.kind is DraftKind.INFO
                and d.status is DraftStatus.ACCEPTED
                else d
                for d in incident.drafts
            ),
        )
        incident = with_draft(incident, draft)
        held = dataclasses.replace(held, status=AssignmentStatus.INFO_SENT)
        incident = with_assignment(incident, held)
        incident = meet(incident, running(incident, DeadlineKind.INFO, org_code=code), now)
        all_in = all(
            a.status is AssignmentStatus.INFO_SENT
            for a in live_assignments(incident)
            if not a.consolidator
        )
        facts["all_info_in"] = all_in
        # п.19: the text and media reach the curator, and the consolidator once chosen.
        messages.append(info_message(Addressee.curators(), draft, all_in))
        consolidator = consolidator_of(incident)
        if consolidator is not None:
            messages.append(info_message(Addressee.organisation(consolidator), draft))
    else:
        incident = with_draft(incident, draft)
        incident = with_assignment(incident, held)
        if kind is DraftKind.CLARIFICATION:
            if draft.version == 1:
                # п.13: the clarification within 30 working minutes of receiving the incident.
                window = calendars.elapsed(Party.ORGANISATION, code, assignment.received_at, now)
                facts["p13_late"] = window > steps.clarification
        else:
            # п.12: the draft (or interim) answer; it meets the draft deadline.
            incident = meet(incident, running(incident, DeadlineKind.DRAFT, org_code=code), now)
        # п.15: a resubmission of the same lane meets the resubmit deadline.
        for deadline in running(incident, DeadlineKind.RESUBMIT, org_code=code):
            returned = next(d for d in incident.drafts if d.id == deadline.draft_id)
            if returned.kind in lane(kind):
                incident = meet(incident, [deadline], now)
                facts["resubmits"] = returned.id
        # п.14: the curator approves or returns it within 30 working minutes.
        review_due = step_due(
            incident, DeadlineKind.REVIEW, Party.CENTRE, None, now, steps.review, policy, calendars
        )
        incident = start(
            incident,
            DeadlineKind.REVIEW,
            Party.CENTRE,
            review_due,
            now,
            org_code=code,
            draft_id=draft.id,
        )
        messages.append(
            Message(
                Addressee.curators(),
                "draft.submitted",
                {
                    "org_code": code,
                    "draft_id": draft.id,
                    "kind": kind.value,
                    "version": draft.version,
                    "review_due_at": iso(review_due),
                },
            )
        )
    return finish(
        NAME,
        before,
        incident,
        actor,
        now,
        {
            "kind": kind.value,
            "text": draft.text,
            "media": media_to_json(media),
            "org_code": code,
        },
        facts,
        messages,
    )


def _check_kind_fits(incident: Incident, kind: DraftKind, consolidator: bool) -> None:
    if kind is DraftKind.INFO:
        if not incident.consolidated:
            refuse(RefusalCode.WRONG_STATE, "information is for consolidated incidents (п.19)")
        if consolidator:
            refuse(RefusalCode.WRONG_STATE, "the consolidator drafts the answer itself")
        return
    if kind is DraftKind.CLARIFICATION:
        return
    if incident.consolidated and not consolidator:
        if not any(a.consolidator for a in incident.assignments):
            refuse(RefusalCode.CONSOLIDATOR_NOT_PICKED, "send information first (п.19)")
        refuse(RefusalCode.NOT_CONSOLIDATOR, "another organisation drafts the answer (п.19)")
    if kind is DraftKind.INTERIM and incident.status is IncidentStatus.INTERIM:
        refuse(RefusalCode.WRONG_STATE, "an interim answer was already given (п.18)")
