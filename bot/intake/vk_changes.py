"""VK Callback API events about posts already received: a comment or topic post edited,
deleted or restored (`wall_reply_edit`, `board_post_delete`, …). VK has no such events for
wall posts themselves. Pure parsing; bot/services/post_changes.py does the rest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.services.post_changes import ChangeKind, PostChange
from workflow.model import Source

# The event family → the field naming the commented item (the same ids as at intake).
_PARENT = {
    "wall_reply": "post_id",
    "board_post": "topic_id",
    "photo_comment": "photo_id",
    "video_comment": "video_id",
    "market_comment": "item_id",
}
_KINDS = {"edit": ChangeKind.EDITED, "delete": ChangeKind.DELETED, "restore": ChangeKind.RESTORED}


def change_from_event(event_type: str, obj: Any, group_id: int) -> PostChange | None:
    """The change an event reports, or None when it is not such an event (or malformed)."""
    family, _, action = event_type.rpartition("_")
    if family not in _PARENT or action not in _KINDS or not isinstance(obj, Mapping):
        return None
    parent, item = obj.get(_PARENT[family]), obj.get("id")
    if not _is_int(parent) or not _is_int(item):
        return None
    kind = _KINDS[action]
    text = obj.get("text") if kind is ChangeKind.EDITED else None
    return PostChange(
        source=Source.VK,
        external_id=f"{family}_new:{group_id}:{parent}_{item}",
        kind=kind,
        text=text if isinstance(text, str) else None,
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
