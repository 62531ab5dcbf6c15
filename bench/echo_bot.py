"""The baseline for bench_press.py: a bare aiogram bot that answers a button press.

It answers the callback query and edits the pressed message, as the incident bot does for
a curator's press, with nothing else: no database, no outbox. Started by bench_press.py
against the same fake Bot API: `python bench/echo_bot.py API_BASE TOKEN`.
"""

from __future__ import annotations

import asyncio
import sys

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup


async def main(api_base: str, token: str) -> None:
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    dispatcher = Dispatcher()
    presses = 0

    @dispatcher.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        nonlocal presses
        presses += 1
        await query.answer()
        if query.message is not None:
            keyboard = InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="Нажать", callback_data="press")]]
            )
            await bot.edit_message_text(
                text=f"Нажато {presses} раз",
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
                reply_markup=keyboard,
            )

    try:
        await dispatcher.start_polling(bot, handle_signals=True)
    finally:
        await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
