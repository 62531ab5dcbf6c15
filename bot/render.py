"""Outbox rows into Telegram text: notifications from their keys, cards from the incident.

Rendering happens at send time, so a card shows the incident as it is when it goes out,
and several pending refreshes of one card collapse into one up-to-date edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from bot.outbox.render import Rendered
from bot.services.addressing import Audience
from bot.services.calendars import CalendarConfig, load_calendars
from db import directory_queries as directory
from db.incident_store import IncidentStore
from db.models import IncidentRow, OutboxRow, Person
from handlers.availability import available, curator_actor, executor_actor
from handlers.cards import Names, card_keyboard, e, local_time, render_card_text
from workflow.effects import Actor
from workflow.policy import Policy


class OutboxRenderer:
    def __init__(
        self,
        translator: Translator,
        clock: Clock,
        policy: Policy,
        calendar_config: CalendarConfig,
    ) -> None:
        self.translator = translator
        self.clock = clock
        self.policy = policy
        self.calendar_config = calendar_config

    async def __call__(self, session: AsyncSession, row: OutboxRow) -> Rendered:
        if row.kind == "card" and row.incident_id is not None:
            return await self.card(session, row.incident_id, row.params, row.locale)
        return await self.message(session, row.key, row.params, row.locale, row.incident_id)

    async def _names(self, session: AsyncSession) -> Names:
        organisations = {org.code: org.name for org in await directory.organisations(session)}
        people = dict((await session.execute(select(Person.id, Person.full_name))).tuples().all())
        return Names(organisations, people)

    async def _timezone(self, session: AsyncSession, org_code: str | None) -> ZoneInfo:
        if org_code:
            for org in await directory.organisations(session):
                if org.code == org_code and org.timezone:
                    return ZoneInfo(org.timezone)
        return ZoneInfo(self.calendar_config.timezone)

    async def card(
        self,
        session: AsyncSession,
        incident_id: int,
        params: Mapping[str, Any],
        locale: str,
        *,
        full_text: bool = False,
    ) -> Rendered:
        incident = await IncidentStore(session).get(incident_id)
        if incident is None:
            return Rendered(self.translator.text("error.incident_gone", locale, id=incident_id))
        now = self.clock.now()
        calendars = await load_calendars(session, self.calendar_config)
        org_code = params.get("org_code")
        tz = await self._timezone(session, org_code)

        def t(key: str, /, **values: Any) -> str:
            return self.translator.render(key, values, locale)

        flags = (
            await session.execute(select(IncidentRow.flags).where(IncidentRow.id == incident_id))
        ).scalar() or []
        text, shortened = render_card_text(
            incident,
            await self._names(session),
            now,
            calendars,
            tz,
            t,
            full_text=full_text,
            flags=flags,
        )
        audience = params.get("audience")
        if audience == Audience.VIEWER:
            actor = Actor(person_id=0)  # no roles: the core accepts no step from it
        elif audience == Audience.CENTRE or not org_code:
            actor = curator_actor()
        else:
            actor = executor_actor(incident, org_code)
        orgs = sorted(calendars.known_orgs or ())
        actions = available(incident, actor, now, self.policy, calendars, orgs)
        keyboard = card_keyboard(incident, actions, t, shortened=shortened and not full_text)
        return Rendered(text, keyboard)

    async def message(
        self,
        session: AsyncSession,
        key: str,
        params: Mapping[str, Any],
        locale: str,
        incident_id: int | None,
    ) -> Rendered:
        names = await self._names(session)
        tz = await self._timezone(session, params.get("org_code"))
        values = format_params(params, names, tz)
        kind_prefix = "deadline.kind" if key.startswith("deadline.") else "draft.kind"
        for name, prefix in (
            ("kind", kind_prefix),
            ("importance", "importance"),
            ("reason", "no_answer"),
            ("source", "source"),
            ("publisher", "publisher"),
        ):
            if isinstance(params.get(name), str):
                values[name] = self.translator.text(f"{prefix}.{params[name]}", locale)
        if isinstance(params.get("reasons"), list):  # п.14 reasons: translated, not names
            values["reasons"] = "; ".join(
                self.translator.text(f"reason.{reason}", locale) for reason in params["reasons"]
            )
        if incident_id is not None:
            values.setdefault("incident_id", incident_id)
        return Rendered(self.translator.render(key, values, locale))


def format_params(params: Mapping[str, Any], names: Names, tz: ZoneInfo) -> dict[str, Any]:
    """Make workflow parameters readable: local times, organisation names, escaped text."""
    values: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            values[name] = "—"
        elif name.endswith("_at") and isinstance(value, str):
            try:
                values[name] = local_time(datetime.fromisoformat(value), tz)
            except ValueError:
                values[name] = e(value)
        elif isinstance(value, list | tuple) and all(isinstance(v, dict) for v in value):
            # Digest rows: organisation and count.
            values[name] = (
                "; ".join(
                    f"{e(names.org(str(v.get('org_code'))))}: {v.get('overdue')}" for v in value
                )
                or "—"
            )
        elif isinstance(value, list | tuple):
            values[name] = ", ".join(e(names.org(str(v))) for v in value) or "—"
        elif isinstance(value, str):
            values[name] = e(value)
        else:
            values[name] = value
    if params.get("org_code"):
        values["org"] = e(names.org(str(params["org_code"])))
    return values
