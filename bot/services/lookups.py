"""Small readings the handlers need: a routing picker's candidates, a card's incident."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.uow import UnitOfWork
from workflow.commands.consolidation import consolidator_candidates
from workflow.model import Incident


@dataclass(frozen=True, slots=True)
class Candidate:
    """An organisation the curator may choose when routing (п.10, п.19)."""

    id: int
    code: str
    name: str
    suggested: bool  # intake's hint or a topic of the organisation found in the post


class Lookups:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    def _unit(self) -> UnitOfWork:
        return UnitOfWork(self._sessions)

    async def incident_of_card(self, chat_id: int, message_id: int) -> int | None:
        """The incident a message shows, when it is one of the bot's cards."""
        async with self._unit() as uow:
            return await uow.reads.incident_of_card(chat_id, message_id)

    async def routing_candidates(self, incident: Incident, consolidator: bool) -> list[Candidate]:
        """Organisations to route to, suggested ones first; for the consolidator (п.19)
        the organisations still on it."""
        async with self._unit() as uow:
            organisations = [o for o in await uow.directory.organisations() if not o.is_centre]
            hinted = set((await uow.reads.incident_hints(incident.id)).suggested_orgs)
        if consolidator:
            # п.19: any organisation still on it, once one's information is in (the core's
            # own answer, so the picker never offers what the command refuses).
            eligible = set(consolidator_candidates(incident))
            organisations = [o for o in organisations if o.code in eligible]
        text = f"{incident.topic or ''} {incident.post.text}".lower()
        candidates = [
            Candidate(
                org.id,
                org.code,
                org.name,
                org.code in hinted or any(str(topic).lower() in text for topic in org.topics or []),
            )
            for org in organisations
        ]
        candidates.sort(key=lambda c: (not c.suggested, c.name))
        return candidates

    async def organisations_among(self, codes: Collection[str]) -> list[Candidate]:
        """These organisations (by code) with their ids and names, in the given order."""
        async with self._unit() as uow:
            by_code = {o.code: o for o in await uow.directory.organisations()}
        return [Candidate(by_code[c].id, c, by_code[c].name, False) for c in codes if c in by_code]

    async def organisation_codes(self, ids: list[int]) -> list[str]:
        """Codes of the organisations with these ids, in that order (unknown ones left out)."""
        async with self._unit() as uow:
            by_id = {o.id: o.code for o in await uow.directory.organisations()}
        return [by_id[org_id] for org_id in ids if org_id in by_id]
