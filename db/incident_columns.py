"""An incident's values as the columns of its rows, and the statements that write them.

Saving compares the outcome's incident with the one the command ran on (`previous`): the
version check makes that the state in the database, so only what changed is written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update

from db.incident_rows import DEADLINES, INCIDENTS, repeats_of, stage_limits_to_json
from workflow.model import Assignment, Deadline, DeadlineState, Draft, Incident, Review


def incident_columns(incident: Incident) -> dict[str, Any]:
    return {
        "status": incident.status,
        "importance": incident.importance,
        "topic": incident.topic,
        "location": incident.location,
        "no_answer_reason": incident.no_answer_reason,
        "dismissal_ground": incident.dismissal_ground,
        "dismissal_duplicate_of": incident.dismissal_duplicate_of,
        "consolidated": incident.consolidated,
        "stage_limits": stage_limits_to_json(incident.stage_limits),
        "version": incident.version,
    }


def assignment_columns(value: Assignment) -> dict[str, Any]:
    return {
        "status": value.status,
        "received_at": value.received_at,
        "holder_id": value.holder_id,
        "decline_comment": value.decline_comment,
        "consolidator": value.consolidator,
    }


def deadline_columns(value: Deadline) -> dict[str, Any]:
    columns = {
        "kind": value.kind,
        "party": value.party,
        "org_code": value.org_code,
        "started_at": value.started_at,
        "due_at": value.due_at,
        "state": value.state,
        "ended_at": value.ended_at,
        "draft_number": value.draft_id,
    }
    if value.state is not DeadlineState.RUNNING:
        columns["next_alert_at"] = None  # a met or cancelled clock fires nothing more
    return columns


def draft_columns(value: Draft) -> dict[str, Any]:
    return {
        "status": value.status,
        "published_at": value.published_at,
        "published_url": value.published_url,
        "published_by": value.published_by,
    }


def review_values(draft_row_id: Any, review: Review) -> dict[str, Any]:
    return {
        "draft_id": draft_row_id,
        "reviewer_id": review.reviewer_id,
        "at": review.at,
        "approved": review.approved,
        "reasons": [reason.value for reason in review.reasons],
        "comment": review.comment,
    }


# The statements of every step, built once (building one costs about as much as running it).
PROBE = select(
    INCIDENTS.c.version, INCIDENTS.c.text, INCIDENTS.c.flags, repeats_of(INCIDENTS.c.id)
).where(INCIDENTS.c.id == bindparam("incident"))
_INCIDENT_VALUES = (
    "status",
    "importance",
    "topic",
    "location",
    "no_answer_reason",
    "dismissal_ground",
    "dismissal_duplicate_of",
    "consolidated",
    "stage_limits",
    "version",
    "updated_at",
)
UPDATE_INCIDENT = (
    update(INCIDENTS)
    .where(INCIDENTS.c.id == bindparam("b_id"), INCIDENTS.c.version == bindparam("b_expected"))
    .values({name: bindparam(name) for name in _INCIDENT_VALUES})
)
_CLOCK_VALUES = (
    "kind",
    "party",
    "org_code",
    "started_at",
    "due_at",
    "state",
    "ended_at",
    "draft_number",
)


def _update_deadline(names: tuple[str, ...]) -> Any:
    return (
        update(DEADLINES)
        .where(
            DEADLINES.c.incident_id == bindparam("b_incident"),
            DEADLINES.c.position == bindparam("b_position"),
        )
        .values({name: bindparam(name) for name in names})
    )


UPDATE_CLOCK = _update_deadline(_CLOCK_VALUES)  # a running clock: its ladder stays
UPDATE_DEADLINE = _update_deadline((*_CLOCK_VALUES, "next_alert_at"))
