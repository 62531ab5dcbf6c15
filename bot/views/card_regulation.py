"""Card lines of the regulation's later additions: a п.10 dismissal and each organisation's
п.19 information (bot/views/card.py calls these where it lists the status and assignments)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.views.format import Translate, local_time
from workflow.commands.consolidation import accepted_info
from workflow.model import (
    Assignment,
    AssignmentStatus,
    DeadlineKind,
    DismissalGround,
    Incident,
)


def dismissal_line(incident: Incident, t: Translate) -> str | None:
    """п.10: the ground (and the incident a duplicate repeats)."""
    ground = incident.dismissal_ground
    if ground is None:
        return None
    label = t(f"dismissal.ground.{ground}")
    if ground == DismissalGround.DUPLICATE.value and incident.dismissal_duplicate_of:
        label = t("card.dismissal_duplicate", id=incident.dismissal_duplicate_of)
    return t("card.dismissal", ground=label)


def info_status(incident: Incident, assignment: Assignment, tz: ZoneInfo, t: Translate) -> str:
    """п.19, on the organisation's line: its information in (when, how much media), still
    awaited (by when), or withdrawn by the curator; the consolidator drafts instead."""
    if not incident.consolidated:
        return ""
    if assignment.consolidator:
        return " — " + t("card.info_consolidator")
    info = [d for d in accepted_info(incident) if d.org_code == assignment.org_code]
    if info:
        latest = info[-1]
        return " — " + t(
            "card.info_in", at=local_time(latest.submitted_at, tz), media=len(latest.media)
        )
    if assignment.status is AssignmentStatus.WITHDRAWN:
        return " — " + t("card.info_withdrawn")
    due = next(
        (
            d.due_at
            for d in incident.deadlines
            if d.running and d.kind is DeadlineKind.INFO and d.org_code == assignment.org_code
        ),
        None,
    )
    if due is None:
        return ""
    return " — " + t("card.info_due", due=local_time(due, tz))
