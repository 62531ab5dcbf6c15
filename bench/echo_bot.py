"""The baseline for bench_press.py: a bare aiogram bot that answers a button press.

It answers the callback query and edits the pressed message, as the incident bot does for
a curator's press, with nothing else: no database, no outbox. Started by bench_press.py
against a fake Bot API: `python bench/echo_bot.py API_BASE TOKEN [CARD_JSON]`.

With CARD_JSON (a file holding the incident bot's card: {"text": …, "reply_markup": …}),
the press is the same update the incident bot gets (the card's text and keyboard come back
with it) and the edit sends the same card, with a mark added or taken away in turn, as the
incident bot's "⚡ Повышенная важность" and "Обычная важность" do. Without it, a one-word
message with one button.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup

MARK = "⚡ "


def _card(path: str | None) -> tuple[str | None, InlineKeyboardMarkup]:
    if path is None:
        button = InlineKeyboardButton(text="Нажать", callback_data="press")
        return None, InlineKeyboardMarkup(inline_keyboard=[[button]])
    card = json.loads(Path(path).read_text(encoding="utf-8"))
    return card["text"], InlineKeyboardMarkup.model_validate(card["reply_markup"])


async def main(api_base: str, token: str, card_file: str | None) -> None:
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    dispatcher = Dispatcher()
    card_text, keyboard = _card(card_file)
    presses = 0

    @dispatcher.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        nonlocal presses
        presses += 1
        await query.answer()
        if query.message is None:
            return
        if card_text is None:
            text = f"Нажато {presses} раз"
        else:
            text = (MARK if presses % 2 else "") + card_text
        await bot.edit_message_text(
            text=text,
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )

    try:
        await dispatcher.start_polling(bot, handle_signals=True)
    finally:
        await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None))
