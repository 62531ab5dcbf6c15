"""п.19: the information of several organisations, the curator's choice of who drafts the
consolidated answer, and withdrawing an organisation that stays silent."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from workflow.calendars import Calendars
from workflow.commands.base import (
    answer_clock,
    as_utc,
    assignment_of,
    cancel,
    finish,
    iso,
    lengths,
    live_assignments,
    passes,
    refuse,
    require_curator,
    require_routed,
    running,
    with_assignment,
)
from workflow.commands.clocks import start_draft_deadline
from workflow.commands.codec import media_to_json
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.errors import RefusalCode
from workflow.fairness import fair_due, minimum
from workflow.model import (
    Assignment,
    AssignmentStatus,
    DeadlineKind,
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    Party,
)
from workflow.policy import Policy

NAME = "pick_consolidator"


def info_due_at(
    incident: Incident, org_code: str, now: datetime, policy: Policy, calendars: Calendars
) -> datetime:
    """п.19: each organisation's information within 2 working hours of receiving it, but no
    later than leaves the consolidator `Policy.consolidation` before its draft is due (п.12),
    and never earlier than the step's minimum after it was sent (docs/fair-clocks.md)."""
    party = Party.ORGANISATION
    regulation = calendars.add(party, org_code, now, policy.multi_info)
    before_answer = lengths(incident, policy).draft_margin + policy.consolidation
    cap = calendars.subtract(party, org_code, answer_clock(incident).due_at, before_answer)
    floor = minimum(DeadlineKind.INFO, incident.importance, policy, policy.multi_info)
    return fair_due(calendars, party, org_code, now, min(regulation, cap), floor)


def accepted_info(incident: Incident) -> tuple[Draft, ...]:
    """The organisations' current information for the consolidated answer (п.19)."""
    return tuple(
        d for d in incident.drafts if d.kind is DraftKind.INFO and d.status is DraftStatus.ACCEPTED
    )


def info_message(to: Addressee, draft: Draft, all_in: bool | None = None) -> Message:
    """One organisation's information with its media, for the curator or the consolidator
    (п.19: the consolidated answer is written from it)."""
    params: dict[str, object] = {
        "org_code": draft.org_code,
        "draft_id": draft.id,
        "text": draft.text,
        "media": media_to_json(draft.media),
    }
    if all_in is not None:
        params["all_info_in"] = all_in
    return Message(to, "info.forwarded", params)


def consolidator_of(incident: Incident) -> str | None:
    return next((a.org_code for a in live_assignments(incident) if a.consolidator), None)


def check_pick(incident: Incident, actor: Actor) -> None:
    """The curator, in a consolidated incident whose consolidator is not chosen yet."""
    require_routed(incident)
    require_curator(actor)
    if not incident.consolidated:
        refuse(RefusalCode.WRONG_STATE, "a single organisation drafts the answer itself")
    if any(a.consolidator for a in live_assignments(incident)):
        refuse(RefusalCode.CONSOLIDATOR_ALREADY_PICKED)


def check_candidate(incident: Incident, org_code: str) -> Assignment:
    """One of the organisations still on the incident."""
    chosen = assignment_of(incident, org_code)
    if chosen is None or chosen not in live_assignments(incident):
        refuse(RefusalCode.NOT_ASSIGNED, org_code, org_code=org_code)
    return chosen


def check_info_in(incident: Incident) -> None:
    """п.19: chosen "с учетом информации, поступившей от всех исполнителей". The project's
    policy: as soon as one organisation's information is in (a silent one must not block the
    answer); whatever comes later reaches the consolidator too."""
    live = live_assignments(incident)
    if not any(a.status is AssignmentStatus.INFO_SENT for a in live):
        missing = sorted(a.org_code for a in live)
        refuse(RefusalCode.INFO_PENDING, ", ".join(missing), org_codes=missing)


def consolidator_candidates(incident: Incident) -> tuple[str, ...]:
    return tuple(
        a.org_code
        for a in live_assignments(incident)
        if passes(check_candidate, incident, a.org_code)
    )


def may_pick(incident: Incident, actor: Actor) -> None:
    check_pick(incident, actor)
    if not consolidator_candidates(incident):
        refuse(RefusalCode.NOT_ASSIGNED, "no organisation is on it")
    check_info_in(incident)


def pick_consolidator(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    org_code: str,
) -> Outcome:
    """ "Исполнителя сводного проекта ответа определяет куратор с учетом информации,
    поступившей от всех исполнителей": chosen once some information is in; the others' comes
    on to the consolidator as it arrives. The consolidated draft is then due 30 working
    minutes before п.9 (п.12), but never less than `Policy.consolidation` after the choice."""
    now = as_utc(now)
    check_pick(incident, actor)
    chosen = check_candidate(incident, org_code)
    check_info_in(incident)

    before = incident
    incident = with_assignment(
        incident,
        dataclasses.replace(
            chosen,
            consolidator=True,
            # Nobody of a still silent organisation has taken it yet: it waits to be taken.
            status=AssignmentStatus.SENT if chosen.holder_id is None else AssignmentStatus.TAKEN,
        ),
    )
    # It drafts the answer itself now: its own information clock no longer applies.
    incident = cancel(incident, running(incident, DeadlineKind.INFO, org_code=org_code), now)
    incident = start_draft_deadline(
        incident, org_code, now, policy, calendars, floor=policy.consolidation
    )
    draft_due = running(incident, DeadlineKind.DRAFT, org_code=org_code)[0].due_at
    to = Addressee.organisation(org_code)
    messages = [
        Message(
            to,
            "incident.consolidator_picked",
            {"org_code": org_code, "draft_due_at": iso(draft_due)},
        )
    ]
    # The information the others sent so far, with its media (п.19).
    messages += [info_message(to, d) for d in accepted_info(incident) if d.org_code != org_code]
    return finish(
        NAME,
        before,
        incident,
        actor,
        now,
        {"org_code": org_code},
        {"draft_due_at": iso(draft_due)},
        messages,
    )
