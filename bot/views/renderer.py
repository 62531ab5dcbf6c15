"""Outbox rows into Telegram text: notifications from their keys, cards from the incident.

Rendering happens at send time, so a card shows the incident as it is when it goes out,
and several pending refreshes of one card collapse into one up-to-date edit. A batch of
rows shares one read of the directory (names, zones, calendars); each card reads its
incident once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from bot.outbox.render import MEDIA_GROUP_MAX, Media, Rendered
from bot.services.addressing import Audience
from bot.services.calendars import CalendarConfig
from bot.services.outbox_writer import CARD_COPY_KEY
from bot.services.read_models import CardModel, DirectoryView, ReadModels
from bot.services.replies import KEYBOARD_PARAM
from bot.views.buttons import card_buttons
from bot.views.card import render_card_text
from bot.views.keyboard import card_keyboard, markup
from bot.views.lateness import late_steps_text
from bot.views.report_render import ReportRenderer
from bot.views.words import readable
from db.models import OutboxRow
from db.outbox_repository import OutboxKind
from db.uow import UnitOfWork
from workflow.model import MediaKind
from workflow.pages import PagePolicy
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
        page_policy: PagePolicy | None = None,
    ) -> None:
        self.translator = translator
        self.clock = clock
        self.policy = policy
        self.calendar_config = calendar_config
        self.read_models = ReadModels(calendar_config)
        self.reports = ReportRenderer(
            calendar_config, rating_weights or RatingWeights(), clock.now, page_policy
        )

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
            is_card = row.kind == OutboxKind.CARD.value or row.key == CARD_COPY_KEY
            if is_card and row.incident_id is not None:
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
            directory.tz(org_code),
            t,
            full_text=full_text,
            flags=model.flags,
            duplicates=model.duplicates,
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

        def t(name: str, /, **values: Any) -> str:
            return self.translator.render(name, values, locale)

        key = spoken_key(key, params)
        values = readable(key, params, t, directory.names, directory.tz(params.get("org_code")))
        if incident_id is not None:
            values.setdefault("incident_id", incident_id)
        keyboard = markup(spec, t) if spec else None
        text = self.translator.render(key, values, locale)
        late = params.get("late_steps")
        if isinstance(late, list) and late:  # an answer alert names who was late (fairness)
            text += "\n" + late_steps_text(late, directory.names, t)
        return Rendered(text, keyboard, media_of(params.get("media")))


def media_of(items: Any) -> tuple[Media, ...]:
    """A message's own photos, videos or documents (п.19 information), as Telegram allows
    them in one album: at most ten, and documents only among documents."""
    if not isinstance(items, list):
        return ()
    found = [
        Media(MediaKind(item["kind"]), str(item["file_id"]))
        for item in items
        if isinstance(item, dict) and item.get("kind") in {kind.value for kind in MediaKind}
    ]
    if len({m.kind for m in found}) > 1:
        found = [m for m in found if m.kind is not MediaKind.DOCUMENT]
    return tuple(found[:MEDIA_GROUP_MAX])


def spoken_key(key: str, params: Mapping[str, Any]) -> str:
    """An overdue alert at the very moment of the deadline says "срок сейчас", not
    "просрочка 0 мин"."""
    if key.startswith("deadline.overdue") and params.get("overdue_minutes") == 0:
        return "deadline.due_now"
    return key
