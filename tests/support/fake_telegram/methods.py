"""The Bot API methods the fake server answers, with the real API's checks and errors."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.support.fake_telegram.models import (
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    NOT_MODIFIED,
    TEXT_LIMIT,
    ApiError,
    Edit,
    FakeMessage,
    _Chat,
)
from tests.support.fake_telegram.shapes import _bot_json, _chat_id_of, _chat_json
from tests.support.fake_telegram.text_checks import _utf16_length, _visible_text


class _Methods:
    """The method handlers; mixed into FakeTelegram, whose chats they change."""

    async def _true(self, _params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            **_bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self._refuse_polling_with_webhook()
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            # As in Telegram: asking from `offset` confirms every update before it.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._updates and not self._closing and loop.time() < deadline:
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), deadline - loop.time())
            except TimeoutError:
                break
        return self._updates[:limit]

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(chat_id)
        return chat

    def _new_bot_message(self, chat_id: int, params: dict[str, Any]) -> FakeMessage:
        chat = self._chat(chat_id)
        message = FakeMessage(
            chat_id=chat_id,
            message_id=chat.next_message_id,
            date=int(time.time()),
            from_bot=True,
            reply_markup=self._markup(params),
        )
        reply_to = params.get("reply_to_message_id")
        if reply_to is None and isinstance(params.get("reply_parameters"), dict):
            reply_to = params["reply_parameters"].get("message_id")
        if reply_to is not None and int(reply_to) in chat.messages:
            message.reply_to = chat.messages[int(reply_to)]
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        return message

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if not isinstance(markup, dict):
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and len(str(data).encode()) > CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _require_chat(self, params: dict[str, Any]) -> int:
        chat_id = _chat_id_of(params.get("chat_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _checked_text(self, params: dict[str, Any], name: str, limit: int) -> str | None:
        text = params.get(name)
        if text is None:
            return None
        visible = _visible_text(str(text), params.get("parse_mode"))
        if _utf16_length(visible) > limit:
            what = "text" if name == "text" else "caption"
            raise ApiError(400, f"Bad Request: message {what} is too long")
        return str(text)

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        text = self._checked_text(params, "text", TEXT_LIMIT)
        if not text or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        message = self._new_bot_message(chat_id, params)
        message.text = text
        return self._message_json(message)

    async def _send_media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        caption = self._checked_text(params, "caption", CAPTION_LIMIT)
        file = params.get(kind)
        if isinstance(file, dict):
            file = file["file_id"]
        if not file:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        message = self._new_bot_message(chat_id, params)
        message.media_kind = kind
        message.file_id = str(file)
        message.caption = caption
        return self._message_json(message)

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "photo")

    async def _send_video(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "video")

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "document")

    async def _send_media_group(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = self._require_chat(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media in the group (2..10)")
        kinds = {item.get("type") for item in media}
        if "document" in kinds and kinds != {"document"}:
            raise ApiError(400, "Bad Request: documents can't be mixed with other media")
        group_id = str(next(self._media_groups))
        for item in media:
            if item.get("caption") is not None:
                caption_params = {"caption": item["caption"], "parse_mode": item.get("parse_mode")}
                self._checked_text(caption_params, "caption", CAPTION_LIMIT)
        answers = []
        for item in media:
            message = self._new_bot_message(chat_id, {})
            message.media_kind = str(item.get("type"))
            message.file_id = str(item.get("media"))
            message.caption = item.get("caption")
            message.media_group_id = group_id
            answers.append(self._message_json(message))
        return answers

    def _editable(self, params: dict[str, Any]) -> FakeMessage:
        chat_id = self._require_chat(params)
        message_id = params.get("message_id")
        chat = self._chats.get(chat_id)
        message = chat.messages.get(int(message_id)) if chat and message_id is not None else None
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _apply_edit(
        self,
        message: FakeMessage,
        *,
        text: str | None,
        caption: str | None,
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        if text == message.text and caption == message.caption and markup == message.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        message.edits.append(
            Edit(self.clock(), message.text, message.caption, message.reply_markup)
        )
        message.text, message.caption, message.reply_markup = text, caption, markup
        message.edit_date = int(time.time())
        return self._message_json(message)

    async def _edit_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        if message.text is None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = self._checked_text(params, "text", TEXT_LIMIT)
        if not text or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        return self._apply_edit(message, text=text, caption=None, markup=self._markup(params))

    async def _edit_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        if message.media_kind is None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = self._checked_text(params, "caption", CAPTION_LIMIT)
        return self._apply_edit(message, text=None, caption=caption, markup=self._markup(params))

    async def _edit_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        return self._apply_edit(
            message, text=message.text, caption=message.caption, markup=self._markup(params)
        )

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        chat_id = self._require_chat(params)
        chat = self._chats.get(chat_id)
        message_id = params.get("message_id")
        message = chat.messages.get(int(message_id)) if chat and message_id is not None else None
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        message.deleted = True
        return True

    async def _answer_callback(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if not query_id.isdigit() or not 0 < int(query_id) <= self._last_callback_id:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if query_id in self.callback_answers:
            raise ApiError(400, "Bad Request: query is already answered")
        self.callback_answers[query_id] = params
        return True

    async def _set_commands(self, params: dict[str, Any]) -> bool:
        self.commands = list(params.get("commands") or [])
        return True

    async def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        return {
            **_chat_json(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
