"""What people do in Telegram, queued as updates for `getUpdates`: messages, replies,
photos, button presses and deletions."""

from __future__ import annotations

import time
from typing import Any

from tests.support.fake_telegram.models import FakeMessage
from tests.support.fake_telegram.shapes import _user_json


class _People:
    """People's actions; mixed into FakeTelegram, whose update queue and chats they change."""

    def _enqueue_update(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, kind: payload})
        self._notify()
        return update_id

    def _user_message(self, chat_id: int, user_id: int | None) -> FakeMessage:
        if user_id is None:
            if chat_id < 0:
                raise ValueError("a message in a group needs the user_id of its sender")
            user_id = chat_id
        chat = self._chat(chat_id)
        message = FakeMessage(
            chat_id=chat_id,
            message_id=chat.next_message_id,
            date=int(time.time()),
            from_bot=False,
            user_id=user_id,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        return message

    def user_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> FakeMessage:
        """A person writes `text` in a private chat (user_id = chat_id) or a group."""
        message = self._user_message(chat_id, user_id)
        message.text = text
        if reply_to_message_id is not None:
            message.reply_to = self.message(chat_id, reply_to_message_id)
        self._enqueue_update("message", self._message_json(message))
        return message

    def user_reply(
        self, chat_id: int, reply_to_message_id: int, text: str, *, user_id: int | None = None
    ) -> FakeMessage:
        """A person replies to a message (usually the bot's) with `text`."""
        return self.user_message(
            chat_id, text, user_id=user_id, reply_to_message_id=reply_to_message_id
        )

    def user_photo(
        self,
        chat_id: int,
        *,
        file_id: str | None = None,
        caption: str | None = None,
        user_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> FakeMessage:
        """A person sends a photo (a new file_id unless given)."""
        message = self._user_message(chat_id, user_id)
        message.media_kind = "photo"
        message.file_id = file_id or f"photo-{next(self._files)}"
        message.caption = caption
        if reply_to_message_id is not None:
            message.reply_to = self.message(chat_id, reply_to_message_id)
        self._enqueue_update("message", self._message_json(message))
        return message

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        user_id: int | None = None,
        check: bool = True,
    ) -> str:
        """A person presses an inline button of a bot message; returns the callback query id.

        With `check`, the message must be the bot's and carry a button with that data (as in
        Telegram, where nothing else can be pressed).
        """
        message = self.message(chat_id, message_id)
        if check:
            datas = [b.callback_data for b in self.buttons(chat_id, message_id)]
            if not message.from_bot or message.deleted or callback_data not in datas:
                raise ValueError(f"no button {callback_data!r} on message {message_id}: {datas}")
        if user_id is None:
            if chat_id < 0:
                raise ValueError("a press in a group needs the user_id of the person")
            user_id = chat_id
        self._last_callback_id += 1
        query_id = str(self._last_callback_id)
        self._enqueue_update(
            "callback_query",
            {
                "id": query_id,
                "from": _user_json(user_id),
                "chat_instance": str(chat_id),
                "message": self._message_json(message),
                "data": callback_data,
            },
        )
        return query_id

    def pending_updates(self) -> int:
        return len(self._updates)

    def delete_by_user(self, chat_id: int, message_id: int) -> None:
        """Someone deletes a message in the chat (the bot learns of it only by failing)."""
        self.message(chat_id, message_id).deleted = True
