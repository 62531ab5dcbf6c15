"""The database side of intake: detection with triage, and the incident's state for the API.

`TriageHook` does its work inside IncidentService.detect's transaction (its `triage`
argument): a near-duplicate of an open incident is attached to it instead of opening
another, and a new incident gets its hints (п.21 flags, suggested topic and organisations)
in the same commit.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.intake.triage import Hints, TriageRules, author_key, is_near_duplicate
from bot.services.incidents import IncidentService
from db.incident_store import IncidentStore
from db.models import DuplicatePost, IncidentRow
from workflow.model import OPEN_STATUSES, Importance, Incident, Post

log = logging.getLogger(__name__)

CANDIDATES = 50  # open incidents of one author within the window compared by text


class DetectTriage(Protocol):
    """The hook IncidentService.detect runs inside its transaction (structural type)."""

    async def duplicate_of(
        self, session: AsyncSession, post: Post, detected_at: datetime, now: datetime
    ) -> int | None: ...

    async def annotate(
        self, session: AsyncSession, incident_id: int, post: Post, now: datetime
    ) -> None: ...


class Outcome(StrEnum):
    CREATED = "created"  # a new incident
    EXISTING = "existing"  # the same post (external id or URL) is already an incident
    DUPLICATE = "duplicate"  # near-identical text by the same author: attached to an open one


class TriageHook:
    """One detection's triage; `attached_to` says whether the post was attached as a duplicate."""

    def __init__(self, rules: TriageRules, hints: Hints) -> None:
        self._rules = rules
        self.hints = hints
        self.attached_to: int | None = None

    async def duplicate_of(
        self, session: AsyncSession, post: Post, detected_at: datetime, now: datetime
    ) -> int | None:
        """The open incident this post repeats (attaching it once), or None."""
        self.attached_to = None  # detect may call again after a lost race
        already = await _attached(session, post)
        if already is not None:  # a retry of a post attached before: nothing new to write
            self.attached_to = already
            return already
        target = await self._near_duplicate(session, post, detected_at)
        if target is None:
            return None
        session.add(
            DuplicatePost(
                incident_id=target,
                source=post.source,
                url=post.url,
                external_id=post.external_id,
                author_name=post.author_name,
                text=post.text,
                received_at=now,
            )
        )
        await session.flush()
        log.info("post %s attached to open incident %s as a near-duplicate", post.url, target)
        self.attached_to = target
        return target

    async def annotate(
        self, session: AsyncSession, incident_id: int, post: Post, now: datetime
    ) -> None:
        """Write the hints on the new incident's row; the workflow never reads them."""
        hints = self.hints
        if not (hints.flags or hints.suggested_topic or hints.suggested_orgs):
            return
        await session.execute(
            update(IncidentRow)
            .where(IncidentRow.id == incident_id)
            .values(
                flags=list(hints.flags),
                suggested_topic=hints.suggested_topic,
                suggested_orgs=list(hints.suggested_orgs),
            )
            .execution_options(synchronize_session=False)
        )

    async def _near_duplicate(
        self, session: AsyncSession, post: Post, detected_at: datetime
    ) -> int | None:
        key = author_key(post.author_url, post.author_name)
        if key is None or not post.text.strip():
            return None
        window = timedelta(hours=self._rules.duplicate_window_hours)
        query = select(IncidentRow.id, IncidentRow.text).where(
            IncidentRow.status.in_(OPEN_STATUSES),
            IncidentRow.detected_at >= detected_at - window,
            IncidentRow.detected_at <= detected_at + window,
        )
        if post.author_url:
            # The stored URL may differ in case or a trailing slash; compare a few spellings.
            spellings = {post.author_url.strip(), post.author_url.strip().rstrip("/")}
            spellings |= {s + "/" for s in list(spellings)}
            query = query.where(IncidentRow.author_url.in_(sorted(spellings)))
        else:
            query = query.where(
                IncidentRow.author_name == post.author_name,
                IncidentRow.author_url.is_(None),
                IncidentRow.source == post.source,
            )
        rows = await session.execute(query.order_by(IncidentRow.id.desc()).limit(CANDIDATES))
        for incident_id, text in rows:
            if is_near_duplicate(post.text, text, self._rules.duplicate_ratio):
                return int(incident_id)
        return None


async def _attached(session: AsyncSession, post: Post) -> int | None:
    if post.external_id:
        condition = (DuplicatePost.source == post.source) & (
            DuplicatePost.external_id == post.external_id
        )
    else:
        condition = DuplicatePost.url == post.url
    found = await session.execute(
        select(DuplicatePost.incident_id).where(condition).order_by(DuplicatePost.id).limit(1)
    )
    return found.scalar()


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncidentView:
    """An incident with the intake's hints, as the API shows it."""

    incident: Incident
    flags: tuple[str, ...]
    suggested_topic: str | None
    suggested_orgs: tuple[str, ...]
    duplicates: int


@dataclass(frozen=True, slots=True)
class Submission:
    outcome: Outcome
    view: IncidentView

    @property
    def created(self) -> bool:
        return self.outcome is Outcome.CREATED


async def read_view(session: AsyncSession, incident_id: int) -> IncidentView | None:
    incident = await IncidentStore(session).get(incident_id)
    if incident is None:
        return None
    return await _with_hints(session, incident)


async def _with_hints(session: AsyncSession, incident: Incident) -> IncidentView:
    row = (
        await session.execute(
            select(
                IncidentRow.flags, IncidentRow.suggested_topic, IncidentRow.suggested_orgs
            ).where(IncidentRow.id == incident.id)
        )
    ).one()
    duplicates = (
        await session.execute(
            select(func.count())
            .select_from(DuplicatePost)
            .where(DuplicatePost.incident_id == incident.id)
        )
    ).scalar_one()
    return IncidentView(
        incident=incident,
        flags=tuple(row.flags or ()),
        suggested_topic=row.suggested_topic,
        suggested_orgs=tuple(row.suggested_orgs or ()),
        duplicates=int(duplicates),
    )


# --- the service ------------------------------------------------------------------------------


class _KeyedLocks:
    """In-process locks by key, so that identical requests arriving together queue up.

    The database settles races on the external id (a unique key); a post without one is
    known only by its URL, which has no unique key, and a near-duplicate by its author.
    """

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, keys: Sequence[str]) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for key in sorted(set(keys)):  # one order for everyone: no deadlock
                lock, users = self._locks.get(key, (asyncio.Lock(), 0))
                self._locks[key] = (lock, users + 1)
                stack.callback(self._release, key)
                await stack.enter_async_context(lock)
            yield

    def _release(self, key: str) -> None:
        lock, users = self._locks[key]
        if users <= 1:
            del self._locks[key]
        else:
            self._locks[key] = (lock, users - 1)


def _lock_keys(post: Post) -> list[str]:
    keys = [_digest("url", post.url)]
    if post.external_id:
        keys.append(_digest("ext", f"{post.source.value}:{post.external_id}"))
    author = author_key(post.author_url, post.author_name)
    if author is not None:
        keys.append(_digest("author", ":".join(author)))
    return keys


def _digest(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


class IntakeService:
    """Detection for posts from outside (API, VK), with triage; shared by both receivers."""

    def __init__(
        self,
        incidents: IncidentService,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        rules: TriageRules | None = None,
    ) -> None:
        self._incidents = incidents
        self._sessions = sessions
        self._clock = clock
        self.rules = rules or TriageRules()
        self._locks = _KeyedLocks()

    @property
    def clock(self) -> Clock:
        return self._clock

    async def submit(
        self,
        post: Post,
        *,
        detected_at: datetime | None = None,
        importance: Importance = Importance.NORMAL,
        topic_hint: str | None = None,
    ) -> Submission:
        hook = TriageHook(self.rules, self.rules.hints(post.text, topic_hint))
        async with self._locks.hold(_lock_keys(post)):
            detected = await self._incidents.detect(
                post, detected_at=detected_at, importance=importance, triage=hook
            )
        if detected.created:
            # Just written, in the same transaction as the hints: no need to read it back.
            hints = hook.hints
            view = IncidentView(
                detected.incident, hints.flags, hints.suggested_topic, hints.suggested_orgs, 0
            )
            return Submission(Outcome.CREATED, view)
        outcome = Outcome.DUPLICATE if hook.attached_to is not None else Outcome.EXISTING
        async with self._sessions() as session:
            view = await _with_hints(session, detected.incident)
        return Submission(outcome, view)

    async def view(self, incident_id: int) -> IncidentView | None:
        async with self._sessions() as session:
            return await read_view(session, incident_id)


__all__ = [
    "DetectTriage",
    "IncidentView",
    "IntakeService",
    "Outcome",
    "Submission",
    "TriageHook",
]
