"""Chats of the seed and helpers for the scanner tests: fired alerts, moving the clock, reading
deadline rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.deadlines.scanner import DeadlineScanner
from db.models import DeadlineRow, OutboxRow

CURATORS = {1001, 1002}  # curator and deputy: no centre group chat in the seed

MANAGER = 4001

ROADS_CHAT = -100200

ROADS_1, ROADS_2, ROADS_HEAD = 2001, 2002, 2009


def fired(rows: list[OutboxRow]) -> set[tuple[int, str, str, str]]:
    return {(r.chat_id, r.key, r.params["kind"], r.params["stage"]) for r in rows}


def alert(chats: set[int], key: str, kind: str, stage: str) -> set[tuple[int, str, str, str]]:
    return {(chat, key, kind, stage) for chat in chats}


async def at(clock, scanner: DeadlineScanner, moment: datetime):
    clock.set(moment)
    return await scanner.tick()


async def deadline_rows(sessions, incident_id: int) -> list[DeadlineRow]:
    async with sessions() as session:
        rows = await session.execute(
            select(DeadlineRow)
            .where(DeadlineRow.incident_id == incident_id)
            .order_by(DeadlineRow.position)
        )
        return list(rows.scalars())
