"""What every handler gets: the services, the person behind the update, their language.

`IdentifyMiddleware` resolves the Telegram user to a person of the directory. A stranger is
told they are not registered and whom to ask, and the administrators hear of the attempt
(once an hour per stranger, so that nobody can flood them through the bot).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, User

from bot.clock import Clock
from bot.i18n import Translator
from bot.intake.service import IntakeService
from bot.services.calendars import CalendarConfig
from bot.services.incidents import IncidentService
from bot.services.lookups import Lookups
from bot.services.pages import PageService
from bot.services.people_service import PeopleService, PersonView
from bot.services.period_reports import PeriodReports
from bot.services.publication import PublicationService
from bot.services.replies import Replies
from bot.services.reports import ReportService
from workflow.effects import Addressee, AddresseeKind
from workflow.effects import Message as Notice
from workflow.roles import CURATOR_ROLES, Role

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


@dataclass
class Services:
    """Everything the handlers need, built once at start (bot/app.py)."""

    incidents: IncidentService
    people: PeopleService
    reports: ReportService
    lookups: Lookups
    replies: Replies
    translator: Translator
    clock: Clock
    calendar_config: CalendarConfig
    default_locale: str
    intake: IntakeService  # the one intake pipeline: every source's posts go through it
    period_reports: PeriodReports  # /report: the figures of a period, its chart and table
    bot_username: str = ""
    discussion_chats: frozenset[int] = frozenset()  # official channels' comment groups
    pages: PageService | None = None  # the official pages (docs/pages.md)
    publication: PublicationService | None = None  # п.16: the bot publishes approved answers
    _stranger_reported: dict[int, datetime] = field(default_factory=dict)

    def centre_tz(self) -> ZoneInfo:
        return ZoneInfo(self.calendar_config.timezone)

    def t(self, locale: str | None) -> Callable[..., str]:
        def translate(key: str, /, **params: Any) -> str:
            return self.translator.render(key, params, locale or self.default_locale)

        return translate


def is_curator(person: PersonView | None) -> bool:
    return person is not None and bool(person.roles & CURATOR_ROLES)


def has_role(person: PersonView | None, *roles: Role) -> bool:
    return person is not None and bool(person.roles & set(roles))


def _user(event: TelegramObject) -> User | None:
    return getattr(event, "from_user", None)


def _is_invitation(event: TelegramObject) -> bool:
    return isinstance(event, Message) and (event.text or "").startswith("/start ")


class IdentifyMiddleware(BaseMiddleware):
    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = _user(event)
        if user is None or user.is_bot:
            return None
        services = self.services
        person = await services.people.identify(user.id, user.username)
        locale = (person.locale if person else None) or services.default_locale
        data["services"] = services
        data["person"] = person
        data["locale"] = locale
        data["t"] = services.t(locale)
        in_discussion = isinstance(event, Message) and event.chat.id in services.discussion_chats
        if person is None and not _is_invitation(event) and not in_discussion:
            await self._stranger(event, user, data["t"])
            return None
        return await handler(event, data)

    async def _stranger(self, event: TelegramObject, user: User, t: Callable[..., str]) -> None:
        services = self.services
        admins = await services.people.people_with_roles([Role.ADMIN])
        names = ", ".join(a.full_name for a in admins) or t("stranger.no_admin")
        text = t("stranger.not_registered", admins=names)
        if isinstance(event, CallbackQuery):
            await event.answer(text[:200], show_alert=True)
        elif isinstance(event, Message) and event.chat.type == "private":
            await event.answer(text)
        else:
            return  # strangers chatting in a bound group are not the bot's business
        now = services.clock.now()
        last = services._stranger_reported.get(user.id)
        if last is not None and now - last < timedelta(hours=1):
            return
        services._stranger_reported[user.id] = now
        log.warning("unregistered Telegram user %s (@%s) tried the bot", user.id, user.username)
        notice = Notice(
            Addressee(kind=AddresseeKind.ROLE, role=Role.ADMIN),
            "admin.stranger_tried",
            {
                "user_id": user.id,
                "username": user.username or "—",
                "name": user.full_name,
            },
        )
        await services.replies.notify([notice])
