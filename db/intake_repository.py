"""Intake rows: what the intake knows about a post (already an incident, attached to one, a
near-duplicate candidate) and the hints it writes on an incident. The only intake SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, literal_column, null, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DuplicatePost, IncidentRow
from workflow.model import OPEN_STATUSES, Post


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


@dataclass(frozen=True, slots=True)
class AuthorWindow:
    """Whose open incidents a post may repeat: any spelling of the author's profile URL,
    else the same name on the same network, detected within [since, until]."""

    urls: Sequence[str]
    name: str | None
    since: datetime
    until: datetime


# Ranks of the ways a post is already known, best first, and of the texts to compare with.
_BY_EXTERNAL_ID, _BY_URL, _ATTACHED, _CANDIDATE = 0, 1, 2, 3


def _rank(rank: int) -> Any:
    return literal_column(str(rank)).label("rank")


def _by_author(post: Post, author: AuthorWindow) -> Select[Any]:
    query = select(IncidentRow.id, IncidentRow.text).where(
        IncidentRow.status.in_(OPEN_STATUSES),
        IncidentRow.detected_at >= author.since,
        IncidentRow.detected_at <= author.until,
    )
    if author.urls:
        query = query.where(IncidentRow.author_url.in_(sorted(author.urls)))
    else:
        query = query.where(
            IncidentRow.author_name == author.name,
            IncidentRow.author_url.is_(None),
            IncidentRow.source == post.source,
        )
    return query.order_by(IncidentRow.id.desc())


class IntakeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def look_up(
        self, post: Post, author: AuthorWindow | None, limit: int
    ) -> tuple[KnownPost | None, list[tuple[int, str]]]:
        """In one statement: the incident this very post already is (external id, else URL)
        or was attached to, in that order of preference; else, when `author` is given, the
        open incidents of that author in its window (newest first) to compare texts with."""
        no_text = null().label("text")
        parts = []
        if post.external_id:
            parts.append(
                select(_rank(_BY_EXTERNAL_ID), IncidentRow.id, no_text).where(
                    IncidentRow.source == post.source,
                    IncidentRow.external_id == post.external_id,
                )
            )
        parts.append(
            select(_rank(_BY_URL), IncidentRow.id, no_text).where(IncidentRow.url == post.url)
        )
        if post.external_id:
            attached = (DuplicatePost.source == post.source) & (
                DuplicatePost.external_id == post.external_id
            )
        else:
            attached = DuplicatePost.url == post.url
        parts.append(
            select(_rank(_ATTACHED), DuplicatePost.incident_id.label("id"), no_text).where(attached)
        )
        if author is not None:
            candidates = _by_author(post, author).limit(limit).subquery()
            parts.append(select(_rank(_CANDIDATE), candidates.c.id, candidates.c.text))
        rows = (await self._session.execute(union_all(*parts))).all()
        known = sorted((int(r.rank), int(r.id)) for r in rows if int(r.rank) != _CANDIDATE)
        if known:
            rank, incident_id = known[0]
            return KnownPost(incident_id, attached=rank == _ATTACHED), []
        texts = sorted(((int(r.id), str(r.text)) for r in rows), reverse=True)
        return None, texts

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

    async def duplicate_urls(self, incident_id: int) -> tuple[str, ...]:
        """The addresses of the posts attached to the incident as its repeats, oldest first."""
        rows = await self._session.execute(
            select(DuplicatePost.url)
            .where(DuplicatePost.incident_id == incident_id)
            .order_by(DuplicatePost.received_at, DuplicatePost.id)
        )
        return tuple(str(url) for url in rows.scalars())
