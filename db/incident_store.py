"""Incidents in the database: rows to values and back, with an optimistic version check.

Repositories never commit: the caller's unit of work does (bot/services).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.incident_cache import IncidentCache
from db.incident_columns import (
    PROBE,
    UPDATE_CLOCK,
    UPDATE_DEADLINE,
    UPDATE_INCIDENT,
    assignment_columns,
    deadline_columns,
    draft_columns,
    incident_columns,
    review_values,
)
from db.incident_rows import (
    ASSIGNMENTS,
    DEADLINES,
    DRAFTS,
    INCIDENTS,
    MEDIA,
    REVIEWS,
    LoadedIncident,
    load_incidents,
)
from db.models import EventRow, IncidentRow
from workflow.alerts import AlertDecision
from workflow.effects import Event, Outcome
from workflow.model import (
    Incident,
    IncidentStatus,
    Post,
)

EVENTS = EventRow.__table__


class VersionConflict(Exception):
    """Someone else changed the incident between our read and our write."""

    def __init__(self, incident_id: int, expected_version: int) -> None:
        super().__init__(f"incident {incident_id} is no longer at version {expected_version}")
        self.incident_id = incident_id
        self.expected_version = expected_version


# --- the repository ---------------------------------------------------------------------------


class IncidentStore:
    def __init__(self, session: AsyncSession, cache: IncidentCache | None = None) -> None:
        """`cache`: the process's committed values (db/incident_cache.py); None reads all."""
        self.session = session
        self._cache = cache
        self._staged: dict[int, LoadedIncident] = {}  # saved here, not committed yet

    async def get(self, incident_id: int) -> Incident | None:
        loaded = await self._read(incident_id)
        return loaded.incident if loaded else None

    async def get_for_card(self, incident_id: int) -> LoadedIncident | None:
        """The incident with the intake's flags and the count of its repeats, in one read."""
        return await self._read(incident_id)

    async def get_for_change(self, incident_id: int) -> Incident | None:
        """The incident a step is about to change: the kept value unverified, since `save`
        checks the version anyway and a conflict is retried on a fresh read."""
        if self._cache is not None and incident_id not in self._staged:
            kept = self._cache.get(incident_id)
            if kept is not None:
                return kept.incident
        return await self.get(incident_id)

    async def _read(self, incident_id: int) -> LoadedIncident | None:
        cache = self._cache
        if cache is None or incident_id in self._staged:
            return (await load_incidents(self.session, [incident_id])).get(incident_id)
        kept = cache.get(incident_id)
        if kept is not None:
            probe = (await self.session.execute(PROBE, {"incident": incident_id})).first()
            if probe is None:
                cache.drop(incident_id)
                return None
            if probe.version == kept.incident.version and probe.text == kept.incident.post.text:
                flags = tuple(str(flag) for flag in probe.flags or ())
                return LoadedIncident(kept.incident, flags, int(probe.repeats))
        loaded = (await load_incidents(self.session, [incident_id])).get(incident_id)
        if loaded is None:
            cache.drop(incident_id)
        else:
            cache.put(loaded)
        return loaded

    def committed(self) -> None:
        """The unit of work committed: what it saved is now every reader's value."""
        if self._cache is not None:
            for value in self._staged.values():
                self._cache.put(value)
        self._staged.clear()

    def rolled_back(self) -> None:
        if self._cache is not None:
            for incident_id in self._staged:
                self._cache.drop(incident_id)
        self._staged.clear()

    async def reserve(self, post: Post, detected_at: datetime, now: datetime) -> int:
        """Insert a version-0 row for a new incident so that detection can be given its id."""
        result = await self.session.execute(
            insert(INCIDENTS)
            .values(
                source=post.source,
                url=post.url,
                external_id=post.external_id,
                text=post.text,
                author_name=post.author_name,
                author_url=post.author_url,
                published_at=post.published_at,
                attachments=list(post.attachments),
                detected_at=detected_at,
                status=IncidentStatus.NEW,
                importance="normal",
                consolidated=False,
                version=0,
                flags=[],
                suggested_orgs=[],
                created_at=now,
                updated_at=now,
            )
            .returning(INCIDENTS.c.id)
        )
        return int(result.scalar_one())

    async def save(
        self, outcome: Outcome, now: datetime, ladders: Mapping[int, AlertDecision] | None = None
    ) -> None:
        """Write the outcome's incident, deadlines and events; raise VersionConflict if stale.

        `ladders`: the reminder ladders of new deadlines (by position) already set up by the
        step; the others arrive due at once, for the scanner to set up."""
        incident = outcome.incident
        previous = outcome.previous
        expected = previous.version if previous is not None else 0
        result = await self.session.execute(
            UPDATE_INCIDENT,
            {
                **incident_columns(incident),
                "updated_at": now,
                "b_id": incident.id,
                "b_expected": expected,
            },
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            if self._cache is not None:
                self._cache.drop(incident.id)  # the retry reads it afresh
            raise VersionConflict(incident.id, expected)
        self._staged[incident.id] = LoadedIncident(incident, ())  # flags: always probed
        await self._save_assignments(incident, previous)
        await self._save_drafts(incident, previous)
        await self._save_deadlines(incident, previous, ladders or {})
        if outcome.events:
            # Parameters apart from the statement: its compiled form is cached (a VALUES
            # list is compiled anew every time).
            await self.session.execute(
                insert(EVENTS),
                [
                    {
                        "incident_id": incident.id,
                        "seq": event.seq,
                        "at": event.at,
                        "actor_id": event.actor_id,
                        "kind": event.command,
                        "payload": event.payload(),
                    }
                    for event in outcome.events
                ],
            )

    async def _save_assignments(self, incident: Incident, previous: Incident | None) -> None:
        before = {a.org_code: a for a in previous.assignments} if previous else {}
        added = []
        for value in incident.assignments:
            old = before.get(value.org_code)
            if old is None:
                added.append(
                    {"incident_id": incident.id, "org_code": value.org_code}
                    | assignment_columns(value)
                )
            elif old != value:
                await self.session.execute(
                    update(ASSIGNMENTS)
                    .where(
                        ASSIGNMENTS.c.incident_id == incident.id,
                        ASSIGNMENTS.c.org_code == value.org_code,
                    )
                    .values(**assignment_columns(value))
                )
        if added:
            await self.session.execute(insert(ASSIGNMENTS), added)

    async def _save_drafts(self, incident: Incident, previous: Incident | None) -> None:
        before = {d.id: d for d in previous.drafts} if previous else {}
        for value in incident.drafts:
            old = before.get(value.id)
            if old == value:
                continue
            if old is None:
                row_id: Any = (
                    await self.session.execute(
                        insert(DRAFTS)
                        .values(
                            incident_id=incident.id,
                            number=value.id,
                            org_code=value.org_code,
                            kind=value.kind,
                            version=value.version,
                            text=value.text,
                            author_id=value.author_id,
                            submitted_at=value.submitted_at,
                            **draft_columns(value),
                        )
                        .returning(DRAFTS.c.id)
                    )
                ).scalar_one()
                if value.media:
                    await self.session.execute(
                        insert(MEDIA),
                        [
                            {
                                "draft_id": row_id,
                                "position": index,
                                "kind": m.kind,
                                "file_id": m.file_id,
                                "caption": m.caption,
                            }
                            for index, m in enumerate(value.media)
                        ],
                    )
                new_reviews = value.reviews
            else:
                row_id = (
                    select(DRAFTS.c.id)
                    .where(DRAFTS.c.incident_id == incident.id, DRAFTS.c.number == value.id)
                    .scalar_subquery()
                )
                if draft_columns(old) != draft_columns(value):
                    await self.session.execute(
                        update(DRAFTS)
                        .where(DRAFTS.c.incident_id == incident.id, DRAFTS.c.number == value.id)
                        .values(**draft_columns(value))
                    )
                new_reviews = value.reviews[len(old.reviews) :]  # only ever appended
            for review in new_reviews:
                await self.session.execute(insert(REVIEWS).values(review_values(row_id, review)))

    async def _save_deadlines(
        self, incident: Incident, previous: Incident | None, ladders: Mapping[int, AlertDecision]
    ) -> None:
        old = previous.deadlines if previous else ()
        for position, (before, value) in enumerate(zip(old, incident.deadlines, strict=False)):
            if before != value:
                columns = deadline_columns(value)
                statement = UPDATE_DEADLINE if "next_alert_at" in columns else UPDATE_CLOCK
                await self.session.execute(
                    statement, {**columns, "b_incident": incident.id, "b_position": position}
                )
        added = [
            # Without a ladder the scanner sets it up at once (bot/deadlines, `settle`).
            {
                "incident_id": incident.id,
                "position": position,
                "alert_stage": ladders[position].reached if position in ladders else 0,
                "next_alert_at": (
                    ladders[position].next_at
                    if position in ladders
                    else value.started_at
                    if value.running
                    else None
                ),
            }
            | deadline_columns(value)
            for position, value in enumerate(incident.deadlines)
            if position >= len(old)
        ]
        if added:
            await self.session.execute(insert(DEADLINES), added)

    async def events(self, incident_id: int) -> list[Event]:
        rows = await self.session.execute(
            select(EventRow).where(EventRow.incident_id == incident_id).order_by(EventRow.seq)
        )
        return [
            Event.from_payload(r.incident_id, r.seq, r.at, r.kind, r.payload)
            for r in rows.scalars()
        ]

    async def find_by_external(self, source: str, external_id: str) -> int | None:
        return (
            await self.session.execute(
                select(IncidentRow.id).where(
                    IncidentRow.source == source, IncidentRow.external_id == external_id
                )
            )
        ).scalar()

    async def find_by_url(self, url: str) -> int | None:
        return (
            await self.session.execute(
                select(IncidentRow.id).where(IncidentRow.url == url).order_by(IncidentRow.id)
            )
        ).scalar()
