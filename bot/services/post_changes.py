"""The post's later life: its author edits, deletes or restores it after it became an incident.

An edit puts the new text on the card and tells whoever holds the incident (the curators
while nobody does); a deletion marks the incident and asks the curators to choose: close it
("публикация удалена автором", the card's «Закрыть») or go on; a restoration lifts the mark.
Sources (VK's Callback API, Telegram's edited messages) parse their events into a
`PostChange`; repeated events change nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.outbox_writer import OutboxWriter
from db.uow import UnitOfWork
from workflow.effects import Addressee, Message
from workflow.model import OPEN_STATUSES, Incident, Source

log = logging.getLogger(__name__)

EDITED_FLAG = "post_edited"
DELETED_FLAG = "post_deleted"
TEXT_LIMIT = 20_000


class ChangeKind(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    RESTORED = "restored"


@dataclass(frozen=True, slots=True)
class PostChange:
    source: Source
    external_id: str  # as the post was stored when it became an incident
    kind: ChangeKind
    text: str | None = None  # the new text of an edited post


def _holders(incident: Incident) -> list[Addressee]:
    people = dict.fromkeys(a.holder_id for a in incident.assignments if a.holder_id)
    return [Addressee.person(person) for person in people if person is not None]


class PostChanges:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        default_locale: str = "ru",
        on_committed: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._writer = OutboxWriter(default_locale)
        self._on_committed = on_committed

    async def apply(self, change: PostChange) -> int | None:
        """The incident the change concerned, or None when the post is no incident."""
        now = self._clock.now()
        async with UnitOfWork(self._sessions, write=True) as uow:
            incident_id = await uow.incidents.find_by_external(
                change.source.value, change.external_id
            )
            if incident_id is None:
                return None
            repo = uow.publications
            if change.kind is ChangeKind.EDITED:
                text = (change.text or "").strip()[:TEXT_LIMIT]
                changed = bool(text) and await repo.change_post(
                    incident_id, text=text, add_flags=[EDITED_FLAG], drop_flags=[DELETED_FLAG]
                )
            elif change.kind is ChangeKind.DELETED:
                changed = await repo.change_post(incident_id, add_flags=[DELETED_FLAG])
            else:
                changed = await repo.change_post(incident_id, drop_flags=[DELETED_FLAG])
            if not changed:
                return incident_id  # a repeated event, or nothing new
            incident = await uow.incidents.get(incident_id)
            assert incident is not None
            await self._writer.cards(uow, incident, now)
            if incident.status in OPEN_STATUSES:
                await self._writer.messages(uow, self._notices(incident, change), now)
        log.info("incident %s: its post was %s", incident_id, change.kind.value)
        self._on_committed()
        return incident_id

    @staticmethod
    def _notices(incident: Incident, change: PostChange) -> list[Message]:
        key = f"publication.post_{change.kind.value}"
        params = {"text": incident.post.text, "url": incident.post.url}
        holders = _holders(incident)
        if change.kind is ChangeKind.EDITED and holders:
            to = holders
        elif change.kind is ChangeKind.DELETED:
            to = [Addressee.curators(), *holders]
        else:
            to = [Addressee.curators()]
        return [Message(addressee, key, params, incident.id) for addressee in to]
