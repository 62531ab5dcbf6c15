"""A VK community's own wall posts, counted for its page (not incidents).

VK's callback sends `wall_post_new` for every post on the community's wall; a post whose
author (`from_id`) is the community itself (-group_id) is the page's own publication. A
post scheduled for later (`post_type: postpone`) or suggested by a reader (`suggest`) is
not published yet and is not counted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class CommunityPost:
    post_id: int
    posted_at: datetime | None  # the post's `date`; None: now


class PagePostSink(Protocol):
    async def record_vk_post(self, group_id: int, post_id: int, posted_at: datetime) -> bool: ...


def community_post(event_type: str, obj: Any, group_id: int) -> CommunityPost | None:
    """The community's own published wall post this event announces, else None."""
    if event_type != "wall_post_new" or not isinstance(obj, Mapping):
        return None
    from_id, post_id = obj.get("from_id"), obj.get("id")
    if not isinstance(from_id, int) or not isinstance(post_id, int) or from_id != -group_id:
        return None
    owner = obj.get("owner_id")
    if isinstance(owner, int) and owner != -group_id:
        return None  # the community posting on someone else's wall
    if obj.get("post_type", "post") != "post":
        return None
    date = obj.get("date")
    moment = datetime.fromtimestamp(date, UTC) if isinstance(date, int) and date > 0 else None
    return CommunityPost(post_id, moment)
