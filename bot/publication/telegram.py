"""A reply in the discussion group to the comment the incident came from (п.16): the
approved text, with its photos and files as the curator saw them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aiogram import Bot
from aiogram.types import (
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
    ReplyParameters,
)

from bot.services.publication_targets import telegram_message_link

CAPTION_LIMIT = 1024  # Telegram's limit for a caption
_ALBUM = {"photo": InputMediaPhoto, "video": InputMediaVideo, "document": InputMediaDocument}


async def reply_in_group(
    bot: Bot, target: Mapping[str, Any], text: str, media: Sequence[Mapping[str, Any]]
) -> str:
    """Send the answer as a reply; the link of the (first) message sent."""
    chat_id = int(target["chat_id"])
    reply = ReplyParameters(message_id=int(target["message_id"]), allow_sending_without_reply=False)
    first: Message
    caption = text if len(text) <= CAPTION_LIMIT else None
    if not media:
        first = await bot.send_message(chat_id, text, parse_mode=None, reply_parameters=reply)
    elif len(media) == 1:
        item = media[0]
        send = {
            "photo": bot.send_photo,
            "video": bot.send_video,
            "document": bot.send_document,
        }[str(item["kind"])]
        first = await send(  # type: ignore[operator]
            chat_id, item["file_id"], caption=caption, parse_mode=None, reply_parameters=reply
        )
    else:
        album = [
            _ALBUM[str(item["kind"])](
                media=str(item["file_id"]),
                caption=caption if index == 0 else None,
                parse_mode=None,
            )
            for index, item in enumerate(media[:10])
        ]
        sent = await bot.send_media_group(chat_id, album, reply_parameters=reply)  # type: ignore[arg-type]
        first = sent[0]
    if media and caption is None:
        # Too long for a caption: the text follows as its own reply.
        await bot.send_message(chat_id, text, parse_mode=None, reply_parameters=reply)
    return telegram_message_link(first.chat.id, first.message_id, first.chat.username)
