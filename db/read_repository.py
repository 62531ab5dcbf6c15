"""Read-only lookups for what people see (cards, pickers, replies to a card): the only SQL
the views and the handlers' services need beyond the incident and directory repositories."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import IncidentCard, IncidentRow


@dataclass(frozen=True, slots=True)
class IncidentHints:
    """What intake noticed about an incident (shown to the curator, never a decision)."""

    flags: tuple[str, ...] = ()  # e.g. "possible_p21"
    suggested_orgs: tuple[str, ...] = ()


class ReadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def incident_hints(self, incident_id: int) -> IncidentHints:
        row = (
            await self._session.execute(
                select(IncidentRow.flags, IncidentRow.suggested_orgs).where(
                    IncidentRow.id == incident_id
                )
            )
        ).first()
        if row is None:
            return IncidentHints()
        flags, suggested = row
        return IncidentHints(
            tuple(str(f) for f in flags or ()), tuple(str(c) for c in suggested or ())
        )

    async def incident_of_card(self, chat_id: int, message_id: int) -> int | None:
        """The incident whose card is this message in this chat, if it is one."""
        return (
            await self._session.execute(
                select(IncidentCard.incident_id).where(
                    IncidentCard.chat_id == chat_id, IncidentCard.message_id == message_id
                )
            )
        ).scalar()
