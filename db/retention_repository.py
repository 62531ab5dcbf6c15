"""Housekeeping SQL: deleting what the retention settings no longer keep.

Only rows nothing reads any more go: outbox rows already sent (failed ones stay for
inspection, pending ones are work), and the repeats attached to incidents closed long ago.
Incidents, their events and drafts are the administration's record and are never pruned.
Deletes go in batches of ids, so that SQLite's one writer is not held for long.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, delete, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DuplicatePost, IncidentRow, OutboxRow
from workflow.model import OPEN_STATUSES

_SENT = "sent"


class RetentionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def prune_outbox(
        self,
        sent_before: datetime,
        *,
        keep_keys: Collection[str] = (),
        keep_since: datetime | None = None,
        limit: int = 5000,
    ) -> int:
        """Delete up to `limit` rows sent before `sent_before`; rows whose key is one of
        `keep_keys` stay while created after `keep_since` (a check still reads them)."""
        condition = and_(OutboxRow.state == _SENT, OutboxRow.sent_at < sent_before)
        if keep_keys and keep_since is not None:
            condition = and_(
                condition,
                not_(
                    and_(OutboxRow.key.in_(sorted(keep_keys)), OutboxRow.created_at >= keep_since)
                ),
            )
        ids = select(OutboxRow.id).where(condition).order_by(OutboxRow.id).limit(limit)
        return await self._delete_ids(OutboxRow, list(await self._session.scalars(ids)))

    async def prune_repeats(self, received_before: datetime, *, limit: int = 5000) -> int:
        """Delete up to `limit` repeated posts received before the moment whose incident was
        closed (last changed) before it too: no open incident is left for them to repeat."""
        closed = select(IncidentRow.id).where(
            IncidentRow.status.not_in(OPEN_STATUSES), IncidentRow.updated_at < received_before
        )
        ids = (
            select(DuplicatePost.id)
            .where(
                DuplicatePost.received_at < received_before, DuplicatePost.incident_id.in_(closed)
            )
            .order_by(DuplicatePost.id)
            .limit(limit)
        )
        return await self._delete_ids(DuplicatePost, list(await self._session.scalars(ids)))

    async def _delete_ids(
        self, table: type[OutboxRow] | type[DuplicatePost], ids: list[int]
    ) -> int:
        if not ids:
            return 0
        await self._session.execute(
            delete(table).where(table.id.in_(ids)).execution_options(synchronize_session=False)
        )
        return len(ids)
