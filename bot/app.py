"""Assembly: settings → database → Bot and Dispatcher → long polling."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.settings import Settings, require_token
from db.engine import create_engine
from db.migrate import upgrade

log = logging.getLogger(__name__)


def create_bot(settings: Settings) -> Bot:
    token = require_token(settings)
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.bot_api_base))
    return Bot(token=token.get_secret_value(), session=session)


def create_dispatcher() -> Dispatcher:
    return Dispatcher()


async def run_bot(settings: Settings) -> int:
    bot = create_bot(settings)  # fails first, before anything is written, without a token
    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        if settings.directory_file is not None:
            from bot.directory_cli import import_directory_file

            if await import_directory_file(engine, settings.directory_file) != 0:
                return 2
        dispatcher = create_dispatcher()
        log.info("starting long polling against %s", settings.bot_api_base)
        await dispatcher.start_polling(bot, handle_signals=True)
        return 0
    finally:
        await bot.session.close()
        await engine.dispose()
