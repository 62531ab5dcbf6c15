"""What a press may do, beyond the registry's guards: read an incident, act on one draft.

`IncidentService.check_press` runs these with the guards before a press reaches its
handler (handlers/gate.py).
"""

from __future__ import annotations

from workflow.commands import Allowed, Command, Review
from workflow.effects import Actor
from workflow.errors import CommandRefused, RefusalCode
from workflow.model import Incident
from workflow.roles import Role


def check_reader(incident: Incident, actor: Actor) -> None:
    if actor.roles - {Role.EXECUTOR}:
        return  # the centre, managers, responsible officials, administrators
    if not any(actor.is_executor_of(a.org_code) for a in incident.assignments):
        raise CommandRefused(RefusalCode.NOT_ASSIGNED, "not routed to the reader's organisation")


def check_draft_target(
    incident: Incident, allowed: Allowed, kind: type[Command], draft_id: int
) -> None:
    """A button about one draft (review, publish): that draft must still be its target."""
    review = kind is Review
    if draft_id in (allowed.reviewable if review else allowed.publishable):
        return
    if not any(d.id == draft_id for d in incident.drafts):
        raise CommandRefused(RefusalCode.NO_SUCH_DRAFT, f"no draft {draft_id}")
    code = RefusalCode.DRAFT_NOT_PENDING if review else RefusalCode.DRAFT_NOT_APPROVED
    raise CommandRefused(code, f"draft {draft_id} is not waiting for this step")
