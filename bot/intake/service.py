"""The one intake pipeline: every source's post goes validate → duplicate check → triage
hints → detection, in one unit of work.

Sources (the HTTP API, VK's callback, Telegram comments, forwards, `/new`) only parse what
they receive into a `Post` and call `IntakeService.submit`; none of them opens an incident
any other way, so every one gets the same duplicate check and the same п.21 hint.

Adding a source: an adapter that parses its input into a `Post` (a Telegram handler in
handlers/, a web receiver in bot/intake/ registered in http_api.py), calls `submit` and
answers its caller from the `Submission` (created, existing or attached as a duplicate).
No SQL, no triage and no detection in the adapter.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.intake.clean import cleaned_post, without_control_chars
from bot.intake.dedupe import IntakeTriage
from bot.intake.rules import TriageRulesCache
from bot.intake.triage import NotAnIncident, Sender, TriageRules, author_key, not_an_incident
from bot.services.incidents import IncidentService
from bot.services.post_changes import PostChanges
from db.intake_repository import StoredHints
from db.uow import UnitOfWork
from workflow.model import Importance, Incident, Post

MAX_URL = 2000
MAX_TEXT = 50_000
MAX_AUTHOR = 300


class InvalidPost(ValueError):
    """A post no source should have produced (an adapter's bug, not the author's)."""


class Outcome(StrEnum):
    CREATED = "created"  # a new incident
    EXISTING = "existing"  # the same post (external id or URL) is already an incident
    DUPLICATE = "duplicate"  # near-identical text by the same author: attached to an open one
    NOT_AN_INCIDENT = "not_an_incident"  # the community's or an official's own post (п.10)


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
    view: IncidentView | None  # None: not an incident (`skipped` says why)
    skipped: NotAnIncident | None = None

    @property
    def created(self) -> bool:
        return self.outcome is Outcome.CREATED

    @property
    def incident_id(self) -> int | None:
        return self.view.incident.id if self.view is not None else None


def validated(post: Post) -> Post:
    """The checks every source shares; control characters are stripped (bot/intake/clean.py),
    over-long text and names are cut, not refused."""
    post = cleaned_post(post)
    if not post.url.strip():
        raise InvalidPost("a post needs a URL")
    if len(post.url) > MAX_URL:
        raise InvalidPost(f"the URL is longer than {MAX_URL} characters")
    if not post.text.strip() and not post.attachments:
        raise InvalidPost("a post needs text or an attachment")
    if len(post.text) > MAX_TEXT or (post.author_name and len(post.author_name) > MAX_AUTHOR):
        author = post.author_name[:MAX_AUTHOR] if post.author_name else post.author_name
        post = replace(post, text=post.text[:MAX_TEXT], author_name=author)
    return post


def _view(incident: Incident, stored: StoredHints | None) -> IncidentView:
    if stored is None:
        return IncidentView(incident, (), None, (), 0)
    return IncidentView(
        incident,
        stored.flags,
        stored.suggested_topic,
        stored.suggested_orgs,
        stored.duplicates,
    )


class _KeyedLocks:
    """In-process locks by key, so that identical posts arriving together queue up.

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
    """The intake pipeline shared by every source."""

    def __init__(
        self,
        incidents: IncidentService,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        rules: TriageRules | TriageRulesCache | None = None,
        community: frozenset[Sender] = frozenset(),
    ) -> None:
        self._incidents = incidents
        self._sessions = sessions
        self._clock = clock
        if isinstance(rules, TriageRulesCache):
            self._rules = rules
        else:
            self._rules = TriageRulesCache.fixed(rules or TriageRules())
        self._locks = _KeyedLocks()
        # A post's later life (edited, deleted, restored), for the sources that report it.
        self.post_changes: PostChanges | None = None
        self._community = community  # the administration's own accounts (settings)

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def rules(self) -> TriageRulesCache:
        return self._rules

    def refresh(self) -> None:
        """The directory was imported (or the topics changed): reload the rules next time."""
        self._rules.refresh()

    async def warm_up(self) -> None:
        """Load what every post needs (the directory, the calendars, the topic rules) at
        start-up. Left to the first posts, a burst's first few load them all at once and
        hold the event loop, and with it the sender, for a few hundred milliseconds."""
        await self._incidents.calendars()
        async with UnitOfWork(self._sessions) as uow:
            await self._rules.get(uow)

    async def submit(
        self,
        post: Post,
        *,
        detected_at: datetime | None = None,
        importance: Importance = Importance.NORMAL,
        topic_hint: str | None = None,
        by_person_id: int | None = None,
        sender: Sender | None = None,
    ) -> Submission:
        """Open an incident for the post, or say which one it already is or repeats, or
        that it is no incident: the community's or a known official's own post (п.10)."""
        post = validated(post)
        if topic_hint is not None:
            topic_hint = without_control_chars(topic_hint)
        if (skipped := await self.skip(sender)) is not None:
            return Submission(Outcome.NOT_AN_INCIDENT, None, skipped)
        several = await self.expects_several(post, topic_hint)
        triage = IntakeTriage(self._rules, topic_hint)
        async with self._locks.hold(_lock_keys(post)):
            detected = await self._incidents.detect(
                post,
                detected_at=detected_at,
                importance=importance,
                by_person_id=by_person_id,
                triage=triage,
                several_orgs=several,
            )
        if detected.created:
            # Written in the same transaction as the incident: no need to read them back.
            hints = triage.hints
            view = IncidentView(
                detected.incident, hints.flags, hints.suggested_topic, hints.suggested_orgs, 0
            )
            return Submission(Outcome.CREATED, view)
        outcome = Outcome.DUPLICATE if triage.attached else Outcome.EXISTING
        return Submission(outcome, _view(detected.incident, triage.stored))

    async def skip(self, sender: Sender | None) -> NotAnIncident | None:
        """Why this sender's post is not an incident, or None (the one place that decides)."""
        if sender is None:
            return None
        async with UnitOfWork(self._sessions) as uow:
            people = (await uow.directory.snapshot()).people.values()
        officials = frozenset(
            Sender(network, account)
            for person in people
            if person.active
            for network, account in (("telegram", person.telegram_id), ("vk", person.vk_id))
            if account is not None
        )
        return not_an_incident(sender, self._community, officials)

    async def expects_several(self, post: Post, topic_hint: str | None) -> bool:
        """The topic rules name several organisations for this post: п.19's 30-minute
        routing clock then runs from detection (workflow.commands.detection)."""
        async with UnitOfWork(self._sessions) as uow:
            rules = await self._rules.get(uow)
        return len(rules.hints(post.text, topic_hint).suggested_orgs) > 1

    async def view(self, incident_id: int) -> IncidentView | None:
        """An incident with its hints (GET /api/v1/incidents/{id})."""
        async with UnitOfWork(self._sessions) as uow:
            incident = await uow.incidents.get(incident_id)
            if incident is None:
                return None
            return _view(incident, await uow.intake.hints(incident_id))
