"""Outbox rows into Telegram text: notifications from their keys, cards from the incident.

Rendering happens at send time, so a card shows the incident as it is when it goes out,
and several pending refreshes of one card collapse into one up-to-date edit. A batch of
rows shares one read of the directory (names, zones, calendars); each card reads its
incident once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from bot.outbox.render import Rendered
from bot.services.addressing import Audience
from bot.services.calendars import CalendarConfig
from bot.services.read_models import CardModel, DirectoryView, Names, ReadModels
from bot.services.replies import KEYBOARD_PARAM
from bot.views.buttons import card_buttons
from bot.views.card import render_card_text
from bot.views.format import e, local_time
from bot.views.keyboard import card_keyboard, markup
from bot.views.report_render import ReportRenderer
from db.models import OutboxRow
from db.outbox_repository import OutboxKind
from db.uow import UnitOfWork
from workflow.policy import Policy
from workflow.rating import RatingWeights


class OutboxRenderer:
    def __init__(
        self,
        translator: Translator,
        clock: Clock,
        policy: Policy,
        calendar_config: CalendarConfig,
        rating_weights: RatingWeights | None = None,
    ) -> None:
        self.translator = translator
        self.clock = clock
        self.policy = policy
        self.calendar_config = calendar_config
        self.read_models = ReadModels(calendar_config)
        self.reports = ReportRenderer(calendar_config, rating_weights or RatingWeights(), clock.now)

    async def __call__(self, session: AsyncSession, row: OutboxRow) -> Rendered:
        return (await self.render_batch(session, [row]))[0]

    async def render_batch(
        self, session: AsyncSession, rows: Sequence[OutboxRow]
    ) -> list[Rendered]:
        """Render several rows on one read of the directory (the sender's session)."""
        # The sender's session: it ends the read before the request (db/uow.py, `over`).
        uow = UnitOfWork.over(session)
        directory = await self.read_models.directory(uow)
        models: dict[int, CardModel | None] = {}  # each incident read once per batch
        rendered = []
        for row in rows:
            if row.kind == OutboxKind.CARD.value and row.incident_id is not None:
                if row.incident_id not in models:
                    models[row.incident_id] = await self.read_models.card(uow, row.incident_id)
                rendered.append(
                    self.card(
                        models[row.incident_id], directory, row.incident_id, row.params, row.locale
                    )
                )
            elif row.kind == OutboxKind.REPORT.value:
                rendered.append(await self.report(uow, row))
            else:
                rendered.append(
                    self.message(directory, row.key, row.params, row.locale, row.incident_id)
                )
        return rendered

    async def report(self, uow: UnitOfWork, row: OutboxRow) -> Rendered:
        """A period report's summary, chart or table (bot/views/report_render.py)."""
        locale = self.translator.locale_for(row.locale)

        def t(key: str, /, **values: Any) -> str:
            return self.translator.render(key, values, locale)

        return await self.reports.render(uow, row, t, locale)

    def card(
        self,
        model: CardModel | None,
        directory: DirectoryView,
        incident_id: int,
        params: Mapping[str, Any],
        locale: str,
        *,
        full_text: bool = False,
    ) -> Rendered:
        if model is None:
            return Rendered(self.translator.text("error.incident_gone", locale, id=incident_id))
        incident = model.incident
        now = self.clock.now()
        org_code = params.get("org_code")

        def t(key: str, /, **values: Any) -> str:
            return self.translator.render(key, values, locale)

        text, shortened = render_card_text(
            incident,
            directory.names,
            now,
            directory.calendars,
            directory.tz(org_code),
            t,
            full_text=full_text,
            flags=model.flags,
        )
        audience = Audience(params.get("audience") or Audience.CENTRE.value)
        actions = card_buttons(
            incident,
            audience,
            org_code,
            now,
            self.policy,
            directory.calendars,
            directory.org_codes,
        )
        keyboard = card_keyboard(incident, actions, t, shortened=shortened and not full_text)
        return Rendered(text, keyboard)

    def message(
        self,
        directory: DirectoryView,
        key: str,
        params: Mapping[str, Any],
        locale: str,
        incident_id: int | None,
    ) -> Rendered:
        spec = params.get(KEYBOARD_PARAM)
        params = {name: value for name, value in params.items() if name != KEYBOARD_PARAM}
        values = format_params(params, directory.names, directory.tz(params.get("org_code")))
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
        keyboard = None
        if spec:

            def t(name: str, /, **values: Any) -> str:
                return self.translator.render(name, values, locale)

            keyboard = markup(spec, t)
        return Rendered(self.translator.render(key, values, locale), keyboard)


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
