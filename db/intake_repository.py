"""Intake rows: the only SQL about them (filled in as the shell moves onto repositories)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class IntakeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
