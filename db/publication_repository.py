"""Publication jobs (п.16) and what the post's later life changes on the incident: the only
SQL of the publication topic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import IncidentRow
from db.models_publication import PublicationJob


class JobState:
    PENDING = "pending"
    SENDING = "sending"  # the request may have gone out: VK repeats it by guid, Telegram not
    POSTED = "posted"  # the comment is there, its link known; the step not yet recorded
    DONE = "done"
    MANUAL = "manual"  # the publisher publishes by hand


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    incident_id: int
    draft_id: int
    network: str
    target: Mapping[str, Any]
    text: str
    media: tuple[Mapping[str, Any], ...]
    guid: str
    requested_by: int
    state: str
    attempts: int
    url: str | None
    error: str | None


def _job(row: PublicationJob) -> Job:
    return Job(
        id=row.id,
        incident_id=row.incident_id,
        draft_id=row.draft_id,
        network=row.network,
        target=dict(row.target or {}),
        text=row.text,
        media=tuple(dict(item) for item in row.media or ()),
        guid=row.guid,
        requested_by=row.requested_by,
        state=row.state,
        attempts=row.attempts,
        url=row.url,
        error=row.error,
    )


class PublicationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.jobs_added = 0  # in this unit of work: the worker is woken after the commit

    async def add(
        self,
        *,
        incident_id: int,
        draft_id: int,
        network: str,
        target: Mapping[str, Any],
        text: str,
        media: Sequence[Mapping[str, Any]],
        guid: str,
        requested_by: int,
        now: datetime,
    ) -> Job | None:
        """A new job; None when this draft already has one (a second press)."""
        if await self.for_draft(incident_id, draft_id) is not None:
            return None
        row = PublicationJob(
            incident_id=incident_id,
            draft_id=draft_id,
            network=network,
            target=dict(target),
            text=text,
            media=[dict(item) for item in media],
            guid=guid,
            requested_by=requested_by,
            state=JobState.PENDING,
            attempts=0,
            not_before=now,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        self.jobs_added += 1
        return _job(row)

    async def for_draft(self, incident_id: int, draft_id: int) -> Job | None:
        row = await self._session.scalar(
            select(PublicationJob).where(
                PublicationJob.incident_id == incident_id, PublicationJob.draft_id == draft_id
            )
        )
        return _job(row) if row else None

    async def get(self, job_id: int) -> Job | None:
        row = await self._session.get(PublicationJob, job_id, populate_existing=True)
        return _job(row) if row else None

    async def due(self, now: datetime, limit: int) -> list[Job]:
        """Jobs to carry out now, oldest first; `sending` ones are those a crash left."""
        rows = await self._session.scalars(
            select(PublicationJob)
            .where(
                PublicationJob.state.in_((JobState.PENDING, JobState.SENDING, JobState.POSTED)),
                PublicationJob.not_before <= now,
            )
            .order_by(PublicationJob.id)
            .limit(limit)
        )
        return [_job(row) for row in rows]

    async def next_moment(self) -> datetime | None:
        return await self._session.scalar(
            select(PublicationJob.not_before)
            .where(PublicationJob.state.in_((JobState.PENDING, JobState.SENDING)))
            .order_by(PublicationJob.not_before)
            .limit(1)
        )

    async def mark(
        self,
        job_id: int,
        state: str,
        now: datetime,
        *,
        not_before: datetime | None = None,
        url: str | None = None,
        error: str | None = None,
        attempted: bool = False,
    ) -> None:
        values: dict[str, Any] = {"state": state, "updated_at": now}
        if not_before is not None:
            values["not_before"] = not_before
        if url is not None:
            values["url"] = url
        if error is not None:
            values["error"] = error[:500]
        if attempted:
            values["attempts"] = PublicationJob.attempts + 1
        await self._session.execute(
            update(PublicationJob).where(PublicationJob.id == job_id).values(**values)
        )

    # --- the post's later life -------------------------------------------------------------

    async def change_post(
        self,
        incident_id: int,
        *,
        text: str | None = None,
        add_flags: Sequence[str] = (),
        drop_flags: Sequence[str] = (),
    ) -> bool:
        """New text and flags on the incident's post; False if nothing changed."""
        row = await self._session.scalar(
            select(IncidentRow).where(IncidentRow.id == incident_id).with_for_update()
        )
        if row is None:
            return False
        flags = [flag for flag in row.flags or () if flag not in drop_flags]
        flags += [flag for flag in add_flags if flag not in flags]
        values: dict[str, Any] = {}
        if flags != list(row.flags or ()):
            values["flags"] = flags
        if text is not None and text != row.text:
            values["text"] = text
        if not values:
            return False
        await self._session.execute(
            update(IncidentRow).where(IncidentRow.id == incident_id).values(**values)
        )
        return True
