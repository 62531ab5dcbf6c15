"""Intake rows: what the intake knows about a post (already an incident, attached to one, a
near-duplicate candidate) and the hints it writes on an incident. The only intake SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, literal_column, null, or_, select, union_all, update
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


@cache
def _look_up_statement(external_id: bool, author: str | None) -> Any:
    """One statement per shape of the question (built once: every intake call asks it, and
    building it cost more than running it). `author`: None (no window), "urls" (any of
    the profile's spellings) or "name" (the same name without a profile, same network)."""
    no_text = null().label("text")
    source, url = bindparam("source"), bindparam("url")
    parts = []
    if external_id:
        parts.append(
            select(_rank(_BY_EXTERNAL_ID), IncidentRow.id, no_text).where(
                IncidentRow.source == source,
                IncidentRow.external_id == bindparam("external_id"),
            )
        )
    parts.append(select(_rank(_BY_URL), IncidentRow.id, no_text).where(IncidentRow.url == url))
    if external_id:
        attached = (DuplicatePost.source == source) & (
            DuplicatePost.external_id == bindparam("external_id")
        )
    else:
        attached = DuplicatePost.url == url
    parts.append(
        select(_rank(_ATTACHED), DuplicatePost.incident_id.label("id"), no_text).where(attached)
    )
    if author is not None:
        query = select(IncidentRow.id, IncidentRow.text).where(
            or_(*(IncidentRow.status == status for status in sorted(OPEN_STATUSES))),
            IncidentRow.detected_at >= bindparam("since"),
            IncidentRow.detected_at <= bindparam("until"),
        )
        if author == "urls":
            query = query.where(IncidentRow.author_url.in_(bindparam("urls", expanding=True)))
        else:
            query = query.where(
                IncidentRow.author_name == bindparam("name"),
                IncidentRow.author_url.is_(None),
                IncidentRow.source == source,
            )
        candidates = query.order_by(IncidentRow.id.desc()).limit(bindparam("limit")).subquery()
        parts.append(select(_rank(_CANDIDATE), candidates.c.id, candidates.c.text))
    return union_all(*parts)


class IntakeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def look_up(
        self, post: Post, author: AuthorWindow | None, limit: int
    ) -> tuple[KnownPost | None, list[tuple[int, str]]]:
        """In one statement: the incident this very post already is (external id, else URL)
        or was attached to, in that order of preference; else, when `author` is given, the
        open incidents of that author in its window (newest first) to compare texts with."""
        values: dict[str, Any] = {
            "source": post.source,
            "url": post.url,
            "external_id": post.external_id,
        }
        shape = None
        if author is not None:
            shape = "urls" if author.urls else "name"
            values |= {"since": author.since, "until": author.until, "limit": limit}
            values |= {"urls": sorted(author.urls)} if author.urls else {"name": author.name}
        statement = _look_up_statement(bool(post.external_id), shape)
        rows = (await self._session.execute(statement, values)).all()
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
