"""Incident service: one workflow command = one database transaction.

Handlers, the HTTP intake and the scheduler call this; no rule of the regulation lives
here. Each call reads the incident, runs the pure command, and writes the incident, its
deadlines, its events and its outbox rows together. Two people acting at once: the second
write finds a newer version, the command runs again on fresh data, and the workflow
refuses it if it no longer fits; the refusal names who did what first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.calendars import CalendarConfig, load_calendars
from bot.services.outbox_writer import OutboxWriter
from bot.services.presses import check_draft_target, check_reader
from bot.services.step_news import StepNews, plan_ladders
from db.incident_store import IncidentStore, VersionConflict
from db.uow import UnitOfWork
from workflow import commands
from workflow.alerts import AlertPolicy
from workflow.calendars import Calendars
from workflow.commands import Command, allowed_commands, registry
from workflow.effects import Actor, Event, Outcome
from workflow.errors import CommandRefused, RefusalCode
from workflow.model import Importance, Incident, Post
from workflow.policy import Policy

log = logging.getLogger(__name__)

ATTEMPTS = 4  # a conflict is retried on fresh data; the workflow then refuses or applies it


class DetectTriage(Protocol):
    """The intake's checks and hints, run inside detection's unit of work (bot/intake/)."""

    async def known(
        self, uow: UnitOfWork, post: Post, detected_at: datetime, now: datetime
    ) -> int | None:
        """The incident this post already is or repeats, or None to open one."""
        ...

    async def opened(self, uow: UnitOfWork, incident: Incident, now: datetime) -> None:
        """Write what the intake knows about the incident just opened."""
        ...


class CommandHook(Protocol):
    """Work that belongs in a command's own transaction (the п.16 publication job written
    with the approval): called after the outcome is stored, in the same unit of work."""

    async def __call__(
        self, uow: UnitOfWork, command: Command, outcome: Outcome, person_id: int, now: datetime
    ) -> None: ...


class UnknownIncident(Exception):
    def __init__(self, incident_id: int) -> None:
        super().__init__(f"no incident {incident_id}")
        self.incident_id = incident_id


class NotRegistered(Exception):
    """The acting person is not (or no longer) in the directory."""


class StepRefused(Exception):
    """A refused command, with what happened last to the incident (who did what, when)."""

    def __init__(
        self, refusal: CommandRefused, last_event: Event | None, incident: Incident
    ) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal
        self.last_event = last_event
        self.incident = incident

    @property
    def code(self) -> RefusalCode:
        return self.refusal.code


@dataclass(frozen=True, slots=True)
class Detected:
    incident: Incident
    created: bool  # False: the post was already an incident, or (intake) repeats an open one


class IncidentService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        policy: Policy,
        calendar_config: CalendarConfig,
        default_locale: str = "ru",
        on_committed: Callable[[], None] | None = None,
        card_chat_notices: bool = False,
        after_command: Sequence[CommandHook] = (),
        alert_policy: AlertPolicy | None = None,
        on_step: Callable[[StepNews], None] | None = None,
    ) -> None:
        """`alert_policy`: new deadlines get their reminder ladders in the step itself;
        `on_step`: told after each step's commit what it means for the timers (besides
        `on_committed`)."""
        self._sessions = session_factory
        self._alert_policy = alert_policy
        self._on_step = on_step
        self._after_command = tuple(after_command)
        self._clock = clock
        self.policy = policy
        self._calendar_config = calendar_config
        self._default_locale = default_locale
        self._on_committed = on_committed
        self.outbox = OutboxWriter(default_locale, card_chat_notices=card_chat_notices)

    def _unit(self, *, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self._sessions, write=write)

    # --- reading ------------------------------------------------------------------------------

    async def get(self, incident_id: int) -> Incident:
        async with self._unit() as uow:
            incident = await uow.incidents.get(incident_id)
        if incident is None:
            raise UnknownIncident(incident_id)
        return incident

    async def events(self, incident_id: int) -> list[Event]:
        async with self._unit() as uow:
            return await uow.incidents.events(incident_id)

    async def refresh_card(self, incident_id: int, reply_chat: int | None = None) -> None:
        """Re-send the card everywhere it is shown (after a refused or stale press); the
        pressing chat's first (`reply_chat`)."""
        now = self._clock.now()
        async with self._unit(write=True) as uow:
            incident = await uow.incidents.get(incident_id)
            if incident is None:
                raise UnknownIncident(incident_id)
            await self.outbox.cards(uow, incident, now, reply_chat=reply_chat)
        self._committed()

    async def show_card(self, incident_id: int, chat_id: int, locale: str | None = None) -> None:
        """Send the card to one more chat: read-only for a manager asking about an incident,
        with its buttons where the chat is one of the card's own."""
        now = self._clock.now()
        async with self._unit(write=True) as uow:
            incident = await uow.incidents.get(incident_id)
            if incident is None:
                raise UnknownIncident(incident_id)
            await self.outbox.card_for_chat(uow, incident, chat_id, locale, now)
        self._committed()

    async def check_press(
        self,
        incident_id: int,
        person_id: int,
        kind: type[Command] | None,
        *,
        draft_id: int | None = None,
    ) -> Incident:
        """Whether this person may press a button for `kind` now (None: only read the
        incident); raise StepRefused with the guard's reason, as the command would, before
        any text is asked for. Readers: the centre's roles, and executors of the
        organisations the incident went to."""
        now = self._clock.now()
        async with self._unit() as uow:
            # The kept value (no statement at all when the directory and the calendars are
            # kept too); a refusal is only given on what the database holds now.
            incident = await uow.incidents.get_for_change(incident_id)
            if incident is None:
                raise UnknownIncident(incident_id)
            actor = await self._actor(uow, person_id, now)
            calendars = await load_calendars(uow.directory, self._calendar_config)
            try:
                self._guard(incident, actor, now, calendars, kind, draft_id)
            except CommandRefused:
                fresh = await uow.incidents.get(incident_id)
                if fresh is None:
                    raise UnknownIncident(incident_id) from None
                incident = fresh
                try:
                    self._guard(incident, actor, now, calendars, kind, draft_id)
                except CommandRefused as refused:
                    raise await _refusal(uow, refused, incident) from None
        return incident

    def _guard(
        self,
        incident: Incident,
        actor: Actor,
        now: datetime,
        calendars: Calendars,
        kind: type[Command] | None,
        draft_id: int | None,
    ) -> None:
        if kind is None:
            check_reader(incident, actor)
            return
        situation = registry.Situation(
            incident, actor, now, self.policy, calendars, tuple(calendars.known_orgs or ())
        )
        registry.REGISTRY[kind].guard(situation)
        if draft_id is not None:
            allowed = allowed_commands(incident, actor, now, self.policy, calendars)
            check_draft_target(incident, allowed, kind, draft_id)

    async def send_copy(self, incident_id: int, chat_id: int, locale: str | None = None) -> None:
        """`/incident N`: a read-only copy of the card as it is now, as a message of its own;
        the chat's working card (if it has one) is left where it is, buttons and all."""
        now = self._clock.now()
        async with self._unit(write=True) as uow:
            if await uow.incidents.get(incident_id) is None:
                raise UnknownIncident(incident_id)
            await self.outbox.card_copy(uow, incident_id, chat_id, locale, now)
        self._committed()

    async def calendars(self) -> Calendars:
        async with self._unit() as uow:
            return await load_calendars(uow.directory, self._calendar_config)

    # --- detection ----------------------------------------------------------------------------

    async def detect(
        self,
        post: Post,
        *,
        detected_at: datetime | None = None,
        importance: Importance = Importance.NORMAL,
        by_person_id: int | None = None,
        triage: DetectTriage | None = None,
        several_orgs: bool = False,
    ) -> Detected:
        """Open an incident for a post, unless the same post is already one (idempotent).

        `triage` (the intake pipeline's, bot/intake/service.py) decides whether the post is
        already known or repeats an open incident, and writes its hints on a new incident,
        inside this same unit of work. Every source goes through the intake; a direct call
        without `triage` is for tests and tools that want the bare workflow step.
        """
        for attempt in range(ATTEMPTS):
            now = self._clock.now()
            moment = detected_at or now
            try:
                async with self._unit(write=True) as uow:
                    store = uow.incidents
                    if triage is not None:
                        existing = await triage.known(uow, post, moment, now)
                    else:
                        existing = await self._existing(store, post)
                    if existing is not None:
                        incident = await store.get(existing)
                        assert incident is not None
                        return Detected(incident, created=False)
                    actor = None
                    if by_person_id is not None:
                        actor = await self._actor(uow, by_person_id, now)
                    incident_id = await store.reserve(post, moment, now)
                    calendars = await load_calendars(uow.directory, self._calendar_config)
                    outcome = commands.detect(
                        post,
                        moment,
                        importance,
                        incident_id,
                        self.policy,
                        calendars,
                        actor=actor,
                        several=several_orgs,  # п.19: the 30-minute routing clock
                    )
                    ladders = plan_ladders(outcome, calendars, self._alert_policy, now)
                    await store.save(outcome, now, ladders.decisions)
                    if triage is not None:
                        await triage.opened(uow, outcome.incident, now)
                    await self.outbox.cards(uow, outcome.incident, now)
                    await self.outbox.messages(uow, outcome.messages, now)
            except IntegrityError:
                # Another request stored the same post a moment ago: read theirs.
                if attempt == ATTEMPTS - 1:
                    raise
                continue
            except DBAPIError as error:
                # SQLite refuses to turn a read snapshot into a write once another writer
                # committed after it (a burst of intake): start again on fresh data.
                if not _is_write_conflict(error) or attempt == ATTEMPTS - 1:
                    raise
                log.info("detection of %s: write conflict (%s); retrying", post.url, error.orig)
                continue
            self._committed(ladders.news(publication=False))
            return Detected(outcome.incident, created=True)
        raise AssertionError("unreachable")

    @staticmethod
    async def _existing(store: IncidentStore, post: Post) -> int | None:
        if post.external_id:
            found = await store.find_by_external(post.source.value, post.external_id)
            if found is not None:
                return found
        return await store.find_by_url(post.url)

    # --- commands -----------------------------------------------------------------------------

    async def perform(
        self,
        incident_id: int,
        person_id: int,
        command: Command,
        *,
        reply_chat: int | None = None,
    ) -> Outcome:
        """Run one command as this person; raise StepRefused when the workflow says no.

        A press on an out-of-date card runs on fresh data too: the workflow decides whether
        it still fits, so a stale card cannot undo what someone else did. The card in
        `reply_chat` (where the person pressed) is redrawn ahead of that chat's queue.
        """
        registry.entry(command)  # a TypeError for anything that is not a workflow command
        for attempt in range(ATTEMPTS):
            now = self._clock.now()
            try:
                async with self._unit(write=True) as uow:
                    store = uow.incidents
                    incident = await store.get_for_change(incident_id)
                    if incident is None:
                        raise UnknownIncident(incident_id)
                    actor = await self._actor(uow, person_id, now)
                    calendars = await load_calendars(uow.directory, self._calendar_config)
                    try:
                        outcome = registry.apply(
                            command, incident, actor, now, self.policy, calendars
                        )
                    except CommandRefused as refused:
                        # The kept value may be behind another process: refuse only on
                        # what the database holds now.
                        fresh = await store.get(incident_id)
                        if fresh is None:
                            raise UnknownIncident(incident_id) from None
                        if fresh == incident:
                            raise await _refusal(uow, refused, incident) from None
                        raise VersionConflict(incident_id, incident.version) from None
                    ladders = plan_ladders(outcome, calendars, self._alert_policy, now)
                    await store.save(outcome, now, ladders.decisions)
                    for hook in self._after_command:
                        await hook(uow, command, outcome, person_id, now)
                    await self.outbox.cards(uow, outcome.incident, now, reply_chat=reply_chat)
                    await self.outbox.messages(uow, outcome.messages, now)
                    news = ladders.news(publication=uow.wrote_publication_jobs)
            except VersionConflict as conflict:
                log.info("incident %s: %s; retrying on fresh data", incident_id, conflict)
                if attempt == ATTEMPTS - 1:
                    raise
                continue
            except DBAPIError as error:
                if not _is_write_conflict(error) or attempt == ATTEMPTS - 1:
                    raise
                log.info("incident %s: write conflict (%s); retrying", incident_id, error.orig)
                continue
            self._committed(news)
            return outcome
        raise AssertionError("unreachable")

    async def actor(self, uow: UnitOfWork, person_id: int, now: datetime) -> Actor:
        """The person as the workflow sees them now (for a service checking a step's guard)."""
        return await self._actor(uow, person_id, now)

    async def _actor(self, uow: UnitOfWork, person_id: int, now: datetime) -> Actor:
        person = await uow.directory.person_by_id(person_id)
        if person is None or not person.active:
            raise NotRegistered(person_id)
        return Actor(
            person_id=person.id,
            roles=person.roles,
            org_code=person.org_code,
            stands_in_for=await uow.directory.stands_in_for(person.id, now),
        )

    def _committed(self, news: StepNews | None = None) -> None:
        if self._on_committed is not None:
            self._on_committed()
        if news is not None and self._on_step is not None:
            self._on_step(news)


async def _refusal(uow: UnitOfWork, refused: CommandRefused, incident: Incident) -> StepRefused:
    """The refusal with what happened last to the incident (who did what first)."""
    events = await uow.incidents.events(incident.id)
    return StepRefused(refused, events[-1] if events else None, incident)


def _is_write_conflict(error: DBAPIError) -> bool:
    """SQLite's stale-snapshot "database is locked", PostgreSQL's serialization failure."""
    text = str(error.orig).lower()
    return "database is locked" in text or "could not serialize" in text or "deadlock" in text
