"""The JSON shapes of the API's answers: chats, users, the bot and messages."""

from __future__ import annotations

from typing import Any

from tests.support.fake_telegram.models import BOT_ID, BOT_USERNAME, FakeMessage


def _chat_json(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
    kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
    return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}


def _user_json(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}", "language_code": "ru"}


def _bot_json() -> dict[str, Any]:
    return {"id": BOT_ID, "is_bot": True, "first_name": "Fake bot", "username": BOT_USERNAME}


def _chat_id_of(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


class _AnswerShapes:
    """Messages as the API returns them; mixed into FakeTelegram."""

    def _message_json(self, message: FakeMessage, *, nested: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": _chat_json(message.chat_id),
            "from": _bot_json() if message.from_bot else _user_json(message.user_id or 0),
        }
        if message.text is not None:
            body["text"] = message.text
        if message.caption is not None:
            body["caption"] = message.caption
        if message.media_kind == "photo":
            body["photo"] = [
                {
                    "file_id": message.file_id,
                    "file_unique_id": f"u-{message.file_id}",
                    "width": 90,
                    "height": 60,
                },
                {
                    "file_id": message.file_id,
                    "file_unique_id": f"u-{message.file_id}",
                    "width": 1280,
                    "height": 853,
                },
            ]
        elif message.media_kind == "video":
            body["video"] = {
                "file_id": message.file_id,
                "file_unique_id": f"u-{message.file_id}",
                "width": 1280,
                "height": 720,
                "duration": 10,
            }
        elif message.media_kind == "document":
            body["document"] = {
                "file_id": message.file_id,
                "file_unique_id": f"u-{message.file_id}",
            }
        if message.media_group_id is not None:
            body["media_group_id"] = message.media_group_id
        if message.reply_markup is not None:
            body["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            body["edit_date"] = message.edit_date
        if message.reply_to is not None and not nested:
            body["reply_to_message"] = self._message_json(message.reply_to, nested=True)
        return body
