"""Pieces the settings make, for the composition root (bot/app.py) to assemble: the bot,
community's own accounts, the publication targets and tokens, the FSM storage for several
processes, the triage rules. Nothing here imports the handlers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage

from bot.intake.rules import TriageRulesCache, directory_rules_loader, rules_from_file
from bot.intake.triage import Sender
from bot.publication import VkTokens
from bot.redis_support import redis_events_isolation, redis_fsm_storage
from bot.response_models import pin_response_models
from bot.services.publication_targets import PublicationConfig
from bot.settings import Settings, SettingsError, require_token


def community(settings: Settings) -> frozenset[Sender]:
    """The administration's own accounts: the VK community (`from_id` = −group id) and the
    Telegram discussion groups (an admin writing as the group). Their posts are no incident."""
    own = {Sender("telegram", chat_id) for chat_id in settings.discussion_chats()}
    if settings.intake.vk_group_id is not None:
        own.add(Sender("vk", -settings.intake.vk_group_id))
    return frozenset(own)


def publication_config(settings: Settings) -> PublicationConfig:
    """Where the bot may publish approved answers itself (п.16): VK with its tokens, and the
    discussion groups it reads."""
    section = settings.publication
    return PublicationConfig(
        vk_group_id=settings.intake.vk_group_id,
        vk_wall=section.vk_group_token is not None,
        vk_board=section.vk_user_token is not None,
        telegram_chats=settings.discussion_chats(),
    )


def telegram_file(bot: Bot) -> Callable[[str], Awaitable[bytes]]:
    """A draft's photo by its Telegram file id (to upload it to VK with a user token)."""

    async def fetch(file_id: str) -> bytes:
        downloaded = await bot.download(file_id)
        assert downloaded is not None  # no destination given: the bytes come back
        return downloaded.read()

    return fetch


def vk_tokens(settings: Settings) -> VkTokens:
    section = settings.publication
    return VkTokens(
        group=section.vk_group_token.get_secret_value() if section.vk_group_token else None,
        user=section.vk_user_token.get_secret_value() if section.vk_user_token else None,
    )


def dispatcher_storage(settings: Settings) -> tuple[BaseStorage | None, BaseEventIsolation | None]:
    """Redis's FSM storage and event isolation with REDIS_URL (several processes), else none."""
    url = settings.server.redis_url
    if url is None:
        return None, None
    if not settings.database.url.startswith("postgresql"):
        raise SettingsError(
            "REDIS_URL is for several processes, which need PostgreSQL"
            " (DATABASE_URL=postgresql+asyncpg://…); SQLite serves one process: unset REDIS_URL"
        )
    storage = redis_fsm_storage(url)
    return storage, redis_events_isolation(storage)


def triage_rules(settings: Settings) -> TriageRulesCache:
    """Topics with keywords from INTAKE_TOPICS_FILE, else each organisation's own topics
    (loaded on the first intake; `Services.intake.refresh()` after a directory import)."""
    ratio = settings.intake.duplicate_ratio
    if settings.intake.topics_file is not None:
        return TriageRulesCache.fixed(rules_from_file(settings.intake.topics_file, ratio))
    return TriageRulesCache(directory_rules_loader(ratio))


def create_bot(settings: Settings) -> Bot:
    token = require_token(settings)
    pin_response_models()
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram.api_base))
    return Bot(
        token=token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
