"""The bot's own standing: its privacy mode (getMe) and its membership and rights in each
chat (getChatMember), as @BotFather and the groups' admins would set them."""

from __future__ import annotations

from typing import Any

from tests.support.fake_telegram.models import BOT_ID, ApiError
from tests.support.fake_telegram.shapes import _bot_json, _user_json

_ADMIN_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
)
_MEMBER_RIGHTS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_edit_tag",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
)


class _Members:
    """Mixed into FakeTelegram. A new bot has the privacy mode on (as @BotFather creates
    it) and is a plain member of every chat until told otherwise."""

    privacy_mode: bool = True
    _bot_standing: dict[int, dict[str, Any]]

    def set_bot_member(self, chat_id: int, status: str = "member", **rights: bool) -> None:
        """The bot's standing in a chat: `member`, `administrator` (every right, or those
        given), `restricted` (rights given, the rest allowed), `left` or `kicked`."""
        standing: dict[str, Any] = {"status": status}
        if status == "administrator":
            standing |= {name: rights.get(name, name != "is_anonymous") for name in _ADMIN_RIGHTS}
        elif status == "restricted":
            standing |= {"is_member": True, "until_date": 0}
            standing |= {name: rights.get(name, True) for name in _MEMBER_RIGHTS}
        elif status == "kicked":
            standing["until_date"] = 0
        if not hasattr(self, "_bot_standing"):
            self._bot_standing = {}
        self._bot_standing[chat_id] = standing

    async def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        user_id = int(params.get("user_id") or 0)
        if not isinstance(chat_id, int) or not user_id:
            raise ApiError(400, "Bad Request: chat_id and user_id are required")
        if user_id != BOT_ID:
            return {"status": "member", "user": _user_json(user_id)}
        standing = getattr(self, "_bot_standing", {}).get(chat_id, {"status": "member"})
        return {**standing, "user": _bot_json()}
