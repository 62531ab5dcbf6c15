"""п.16 publication by the bot: the job written with the approval (or at the publisher's
press), the link recorded through the one ConfirmPublication step, and the fall-back to
publishing by hand with a checked link.

The network requests themselves are the worker's (bot/publication/); this service decides
what to publish where and records what came of it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.incidents import IncidentService, NotRegistered, StepRefused, UnknownIncident
from bot.services.outbox_writer import OutboxWriter
from bot.services.publication_targets import (
    Network,
    PublicationConfig,
    PublishMode,
    Target,
    target_of,
)
from db.publication_repository import Job, JobState
from db.uow import UnitOfWork
from workflow.commands import Command, ConfirmPublication, Review
from workflow.commands.publication import check_publishable
from workflow.effects import Addressee, Message, Outcome
from workflow.errors import CommandRefused
from workflow.model import DeadlineKind, Draft, DraftStatus, Incident, Party
from workflow.post_links import publication_link_problem

log = logging.getLogger(__name__)


class Pressed(StrEnum):
    QUEUED = "queued"  # the bot publishes it now
    ALREADY = "already"  # a job for this draft exists
    BY_HAND = "by_hand"  # the bot cannot publish where the incident was posted
    REFUSED = "refused"  # this person may not publish this draft now


@dataclass(frozen=True, slots=True)
class PublishMenu:
    """What the publisher sees on pressing the card's publication button."""

    text: str  # the approved text, to copy
    media: int  # how many photos and files go with it
    bot_can_publish: bool  # an "Опубликовать" button: the bot posts it
    job_state: str | None  # the bot's job for this draft, if any


def _draft(incident: Incident, draft_id: int) -> Draft | None:
    return next((d for d in incident.drafts if d.id == draft_id), None)


def publisher_of(incident: Incident, draft: Draft) -> Addressee:
    """Who publishes this draft: the centre (PUBLISHER=centre), else its holder."""
    centre = any(
        d.running
        and d.kind is DeadlineKind.PUBLISH
        and d.draft_id == draft.id
        and d.party is Party.CENTRE
        for d in incident.deadlines
    )
    if centre:
        return Addressee.curators()
    holder = next((a.holder_id for a in incident.assignments if a.org_code == draft.org_code), None)
    return Addressee.person(holder) if holder else Addressee.organisation(draft.org_code)


def _media(draft: Draft) -> list[dict[str, Any]]:
    return [{"kind": m.kind.value, "file_id": m.file_id} for m in draft.media]


class PublicationPlanner:
    """The IncidentService hook: an approval of an organisation publishing "auto" writes
    the job in the approval's own transaction."""

    def __init__(self, config: PublicationConfig) -> None:
        self.config = config

    async def __call__(
        self, uow: UnitOfWork, command: Command, outcome: Outcome, person_id: int, now: datetime
    ) -> None:
        if not isinstance(command, Review) or not command.approve:
            return
        incident = outcome.incident
        draft = _draft(incident, command.draft_id)
        if draft is None or draft.status is not DraftStatus.APPROVED:
            return
        organisation = (await uow.directory.snapshot()).organisation(draft.org_code)
        mode = PublishMode((organisation.publish if organisation else None) or PublishMode.AUTO)
        target = target_of(incident.post, self.config)
        if mode is PublishMode.AUTO and target is not None:
            await add_job(uow, incident, draft, target, person_id, now)


async def add_job(
    uow: UnitOfWork, incident: Incident, draft: Draft, target: Target, by: int, now: datetime
) -> Job | None:
    return await uow.publications.add(
        incident_id=incident.id,
        draft_id=draft.id,
        network=target.network.value,
        target=target.ids,
        text=draft.text,
        media=_media(draft),
        guid=uuid.uuid4().hex,
        requested_by=by,
        now=now,
    )


class PublicationService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        incidents: IncidentService,
        config: PublicationConfig,
        default_locale: str = "ru",
        on_committed: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._incidents = incidents
        self.config = config
        self._writer = OutboxWriter(default_locale)
        self._on_committed = on_committed

    def _unit(self, *, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self._sessions, write=write)

    # --- the publisher's press ------------------------------------------------------------

    async def menu(self, incident_id: int, draft_id: int) -> PublishMenu | None:
        async with self._unit() as uow:
            incident = await uow.incidents.get(incident_id)
            job = await uow.publications.for_draft(incident_id, draft_id)
        draft = _draft(incident, draft_id) if incident else None
        if incident is None or draft is None:
            return None
        return PublishMenu(
            text=draft.text,
            media=len(draft.media),
            bot_can_publish=target_of(incident.post, self.config) is not None and job is None,
            job_state=job.state if job else None,
        )

    async def press(self, incident_id: int, person_id: int, draft_id: int) -> Pressed:
        """ "Опубликовать": the bot publishes the approved draft where the incident was."""
        now = self._clock.now()
        async with self._unit(write=True) as uow:
            incident = await uow.incidents.get(incident_id)
            if incident is None:
                raise UnknownIncident(incident_id)
            draft = _draft(incident, draft_id)
            if draft is None:
                return Pressed.REFUSED
            actor = await self._incidents.actor(uow, person_id, now)
            try:
                check_publishable(incident, actor, draft)
            except CommandRefused:
                return Pressed.REFUSED
            target = target_of(incident.post, self.config)
            if target is None:
                return Pressed.BY_HAND
            job = await add_job(uow, incident, draft, target, person_id, now)
        if job is None:
            return Pressed.ALREADY
        self._on_committed()
        return Pressed.QUEUED

    async def check_manual(self, incident_id: int, draft_id: int, url: str) -> str | None:
        """Before a publication by hand is confirmed: why the link is refused (a message
        key), or None; a job of the bot's not yet started is called off (the hand wins)."""
        now = self._clock.now()
        async with self._unit(write=True) as uow:
            incident = await uow.incidents.get(incident_id)
            if incident is None:
                raise UnknownIncident(incident_id)
            problem = publication_link_problem(incident.post.url, url)
            if problem is not None:
                return f"publication.link.{problem.value}"
            job = await uow.publications.for_draft(incident_id, draft_id)
            if job is not None and job.state in (JobState.SENDING, JobState.POSTED):
                return "publication.busy"
            if job is not None and job.state == JobState.PENDING:
                await uow.publications.mark(job.id, JobState.MANUAL, now, error="by hand")
        return None

    # --- the worker's side ----------------------------------------------------------------

    async def due(self, limit: int = 20) -> list[Job]:
        async with self._unit() as uow:
            return await uow.publications.due(self._clock.now(), limit)

    async def still_wanted(self, job: Job) -> bool:
        """The draft still waits to be published (not superseded, closed or confirmed by
        hand meanwhile); a job that is not is called off without a word."""
        async with self._unit() as uow:
            incident = await uow.incidents.get(job.incident_id)
        draft = _draft(incident, job.draft_id) if incident else None
        if draft is not None and draft.status is DraftStatus.APPROVED:
            return True
        await self.mark(job, JobState.MANUAL, error="withdrawn")
        return False

    async def mark(self, job: Job, state: str, **values: Any) -> None:
        async with self._unit(write=True) as uow:
            await uow.publications.mark(job.id, state, self._clock.now(), **values)

    async def record(self, job: Job, url: str, *, media_left: int | None = None) -> bool:
        """The link recorded as the publication, through the one step (ConfirmPublication):
        the п.16 clock stops, the card shows the link. On behalf of the draft's holder, else
        of whoever asked for the publication (the approving curator, the presser)."""
        await self.mark(job, JobState.POSTED, url=url)
        incident = await self._incidents.get(job.incident_id)
        draft = _draft(incident, job.draft_id)
        holders = [
            a.holder_id for a in incident.assignments if draft and a.org_code == draft.org_code
        ]
        for person_id in dict.fromkeys([*(h for h in holders if h), job.requested_by]):
            try:
                await self._incidents.perform(
                    job.incident_id, person_id, ConfirmPublication(job.draft_id, url)
                )
            except StepRefused as refused:
                draft = _draft(refused.incident, job.draft_id)
                if draft is not None and draft.status is DraftStatus.PUBLISHED:
                    break  # recorded before a restart, or confirmed by hand meanwhile
                continue
            except NotRegistered:
                continue
            left = len(job.media) if media_left is None else media_left
            if left and job.network != Network.TELEGRAM.value:
                await self.tell(job, "publication.photos_by_hand", count=left, url=url)
            break
        else:
            log.warning("publication job %s: nobody may record %s", job.id, url)
            await self.fall_back(job, "not_recorded", url=url)
            return False
        await self.mark(job, JobState.DONE)
        return True

    async def fall_back(self, job: Job, problem: str, **params: Any) -> None:
        """The bot will not publish this one: the publisher is told at once why, with the
        text to copy, and publishes by hand."""
        now = self._clock.now()
        async with self._unit(write=True) as uow:
            await uow.publications.mark(job.id, JobState.MANUAL, now, error=problem)
            incident = await uow.incidents.get(job.incident_id)
            draft = _draft(incident, job.draft_id) if incident else None
            if incident is None or draft is None or draft.status is not DraftStatus.APPROVED:
                return
            message = Message(
                publisher_of(incident, draft),
                "publication.failed",
                {"problem": problem, "text": job.text, "draft_id": job.draft_id, **params},
                incident_id=job.incident_id,
            )
            await self._writer.messages(uow, [message], now)
        self._on_committed()

    async def tell(self, job: Job, key: str, **params: Any) -> None:
        await self.notify(job.incident_id, job.draft_id, key, params)

    async def notify(
        self, incident_id: int, draft_id: int, key: str, params: dict[str, Any]
    ) -> None:
        now = self._clock.now()
        async with self._unit(write=True) as uow:
            incident = await uow.incidents.get(incident_id)
            draft = _draft(incident, draft_id) if incident else None
            if incident is None or draft is None:
                return
            to = publisher_of(incident, draft)
            await self._writer.messages(uow, [Message(to, key, params, incident_id)], now)
        self._on_committed()
