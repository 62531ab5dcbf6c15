"""Storing the report facts of closed incidents (db/models_reports.py ReportFact), judged
by the same SQL as a report judges them (`db.report_tallies`): the housekeeper stores
them a batch at a time, and a report then reads one narrow table for those incidents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, cast, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AssignmentRow, DeadlineRow, DraftRow, IncidentRow, ReviewRow
from db.models_reports import ReportFact
from db.report_tallies import judged_columns, returned_draft, sql_dialect, stored_now
from workflow.model import AssignmentStatus, DeadlineKind, DeadlineState
from workflow.report_figures import OPEN


async def store_facts(
    session: AsyncSession, now: datetime, limit: int, after: int = 0
) -> tuple[int, int]:
    """Store the facts of up to `limit` closed incidents whose facts are not stored at
    their present version (replacing older ones), in the order of their ids from after
    `after`; returns how many were due (all stored, unless one changed meanwhile) and the
    last id (to go on after it). Only incidents with no answer or final clock running
    (their facts no longer depend on the moment they are judged at: `now` only fills the
    statement) and kept by one organisation at most (the row names it).

    The insert checks again that each is closed: between the two statements an incident
    may have been reopened, and the insert sees it at its new version (PostgreSQL's read
    committed); what one statement reads is one snapshot."""
    connection = await session.connection()
    dialect = sql_dialect(connection)
    running = exists().where(
        DeadlineRow.incident_id == IncidentRow.id,
        DeadlineRow.kind.in_((DeadlineKind.ANSWER, DeadlineKind.FINAL_ANSWER)),
        DeadlineRow.state == DeadlineState.RUNNING,
    )
    kept = and_(
        AssignmentRow.incident_id == IncidentRow.id,
        AssignmentRow.status != AssignmentStatus.DECLINED,
    )
    closed = and_(
        IncidentRow.status.not_in(OPEN),
        ~running,
        select(func.count()).where(kept).scalar_subquery() <= 1,
    )
    due = list(
        await connection.scalars(
            select(IncidentRow.id)
            .where(IncidentRow.id > after, closed, ~exists().where(stored_now()))
            .order_by(IncidentRow.id)
            .limit(limit)
        )
    )
    if not due:
        return 0, after
    columns, joined = judged_columns(due, now, dialect, for_rating=False)
    org = select(func.min(AssignmentRow.org_code)).where(kept).scalar_subquery()
    returns = _returns(dialect, due)
    facts = select(
        IncidentRow.id, IncidentRow.version, org, IncidentRow.status, *columns, returns.c.returns
    )
    names = [
        "incident_id", "version", "org_code", "status", "interim", "answer", "final",
        "detected_us", "first_us", "returns",
    ]  # fmt: skip
    module = sqlite if dialect.startswith("sqlite") else postgresql
    statement = module.insert(ReportFact).from_select(
        names,
        facts.select_from(
            (IncidentRow.__table__ if joined is IncidentRow else joined).outerjoin(
                returns, returns.c.incident_id == IncidentRow.id
            )
        ).where(IncidentRow.id.in_(due), closed),
    )
    statement = statement.on_conflict_do_update(
        index_elements=[ReportFact.incident_id],
        set_={name: statement.excluded[name] for name in names[1:]},
    )
    await connection.execute(statement)
    return len(due), due[-1]


def _returns(dialect: str, due: list[int]) -> Any:
    """Per incident of `due` with returned drafts, those drafts as JSON text: [[org, 1 if
    it kept the incident, [reasons]], …] (grouped, not looked up per incident: PostgreSQL
    would hash all reviews for each)."""
    if dialect.startswith("sqlite"):
        drafts = func.json_group_array(returned_draft(dialect))
    else:
        drafts = cast(func.json_agg(returned_draft(dialect)), Text)
    return (
        select(DraftRow.incident_id, drafts.label("returns"))
        .join(ReviewRow, ReviewRow.draft_id == DraftRow.id)
        .where(DraftRow.incident_id.in_(due), ReviewRow.approved.is_(False))
        .group_by(DraftRow.incident_id)
        .subquery()
    )
