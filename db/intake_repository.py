"""Intake rows: what the intake knows about a post (already an incident, attached to one, a
near-duplicate candidate) and the hints it writes on an incident. The only intake SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal_column, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DuplicatePost, IncidentRow
from workflow.model import OPEN_STATUSES, Post, Source


@dataclass(frozen=True, slots=True)
class KnownPost:
    incident_id: int
    attached: bool  # True: the post was attached to the incident as a near-duplicate before


@dataclass(frozen=True, slots=True)
class StoredHints:
    flags: tuple[str, ...]
    suggested_topic: str | None
    suggested_orgs: tuple[str, ...]
    duplicates: int


# Ranks of the ways a post is already known, best first (one statement answers all three).
_BY_EXTERNAL_ID, _BY_URL, _ATTACHED = 0, 1, 2


class IntakeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def known(self, post: Post) -> KnownPost | None:
        """The incident this very post already is (external id, else URL), or the one it was
        attached to as a near-duplicate, in that order of preference."""
        parts = []
        if post.external_id:
            parts.append(
                select(literal_column(str(_BY_EXTERNAL_ID)).label("rank"), IncidentRow.id).where(
                    IncidentRow.source == post.source,
                    IncidentRow.external_id == post.external_id,
                )
            )
        parts.append(
            select(literal_column(str(_BY_URL)).label("rank"), IncidentRow.id).where(
                IncidentRow.url == post.url
            )
        )
        if post.external_id:
            attached = (DuplicatePost.source == post.source) & (
                DuplicatePost.external_id == post.external_id
            )
        else:
            attached = DuplicatePost.url == post.url
        parts.append(
            select(
                literal_column(str(_ATTACHED)).label("rank"),
                DuplicatePost.incident_id.label("id"),
            ).where(attached)
        )
        found = union_all(*parts).subquery()
        row = (
            await self._session.execute(
                select(found.c.rank, found.c.id).order_by(found.c.rank, found.c.id).limit(1)
            )
        ).first()
        if row is None:
            return None
        return KnownPost(int(row.id), attached=int(row.rank) == _ATTACHED)

    async def open_texts_by_author(
        self,
        *,
        author_urls: Sequence[str],
        author_name: str | None,
        source: Source,
        since: datetime,
        until: datetime,
        limit: int,
    ) -> list[tuple[int, str]]:
        """Open incidents detected in [since, until] by this author (any of the profile URL
        spellings; without a URL, the same name on the same network), newest first."""
        query = select(IncidentRow.id, IncidentRow.text).where(
            IncidentRow.status.in_(OPEN_STATUSES),
            IncidentRow.detected_at >= since,
            IncidentRow.detected_at <= until,
        )
        if author_urls:
            query = query.where(IncidentRow.author_url.in_(sorted(author_urls)))
        else:
            query = query.where(
                IncidentRow.author_name == author_name,
                IncidentRow.author_url.is_(None),
                IncidentRow.source == source,
            )
        rows = await self._session.execute(query.order_by(IncidentRow.id.desc()).limit(limit))
        return [(int(incident_id), text) for incident_id, text in rows]

    async def attach(self, incident_id: int, post: Post, now: datetime) -> None:
        """Keep a repeating post with the open incident it repeats."""
        self._session.add(
            DuplicatePost(
                incident_id=incident_id,
                source=post.source,
                url=post.url,
                external_id=post.external_id,
                author_name=post.author_name,
                text=post.text,
                received_at=now,
            )
        )
        await self._session.flush()

    async def set_hints(
        self,
        incident_id: int,
        flags: Sequence[str],
        suggested_topic: str | None,
        suggested_orgs: Sequence[str],
    ) -> None:
        """Hints are not a workflow step: the incident's version stays as it is."""
        await self._session.execute(
            update(IncidentRow)
            .where(IncidentRow.id == incident_id)
            .values(
                flags=list(flags),
                suggested_topic=suggested_topic,
                suggested_orgs=list(suggested_orgs),
            )
            .execution_options(synchronize_session=False)
        )

    async def hints(self, incident_id: int) -> StoredHints | None:
        duplicates = (
            select(func.count())
            .select_from(DuplicatePost)
            .where(DuplicatePost.incident_id == incident_id)
            .scalar_subquery()
        )
        row = (
            await self._session.execute(
                select(
                    IncidentRow.flags,
                    IncidentRow.suggested_topic,
                    IncidentRow.suggested_orgs,
                    duplicates.label("duplicates"),
                ).where(IncidentRow.id == incident_id)
            )
        ).first()
        if row is None:
            return None
        return StoredHints(
            flags=tuple(row.flags or ()),
            suggested_topic=row.suggested_topic,
            suggested_orgs=tuple(row.suggested_orgs or ()),
            duplicates=int(row.duplicates),
        )
