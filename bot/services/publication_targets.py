"""Where the bot can publish an incident's answer itself (п.16), read from the post alone.

VK: a comment under a post of the community's wall (a reply when the incident is a comment),
with the community token; a comment in a board topic only with a user token (VK allows
board.createComment to users only). Telegram: a reply to the comment in a discussion group
the bot reads. Anything else (OK, a post known only by its link) is published by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs, urlsplit

from workflow.model import Post, Source

VK = "https://vk.com"
_WALL = re.compile(r"/wall(-?\d+)_(\d+)$")
_TOPIC = re.compile(r"/topic-(\d+)_(\d+)$")


class Network(StrEnum):
    VK_WALL = "vk_wall"
    VK_BOARD = "vk_board"
    TELEGRAM = "telegram"


class PublishMode(StrEnum):
    """An organisation's way of publishing (the directory's `publish`)."""

    AUTO = "auto"  # the bot publishes as soon as the curator approves
    PRESS = "press"  # the bot publishes when the publisher presses "Опубликовать"
    MANUAL = "manual"  # the publisher publishes by hand and gives the link


@dataclass(frozen=True, slots=True)
class PublicationConfig:
    """What the bot may publish with (built from the settings)."""

    vk_group_id: int | None = None
    vk_wall: bool = False  # a community token is configured
    vk_board: bool = False  # a user token is configured
    telegram_chats: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Target:
    network: Network
    ids: dict[str, Any]


def target_of(post: Post, config: PublicationConfig) -> Target | None:
    """Where the bot itself can answer this post, or None (published by hand)."""
    if post.source is Source.TELEGRAM:
        return _telegram(post, config)
    if post.source is Source.VK:
        return _vk(post.url, config)
    return None


def _telegram(post: Post, config: PublicationConfig) -> Target | None:
    prefix, _, rest = (post.external_id or "").partition(":")
    chat, _, message = rest.partition(":")
    if prefix != "tg":
        return None
    try:
        chat_id, message_id = int(chat), int(message)
    except ValueError:
        return None
    if chat_id not in config.telegram_chats:
        return None
    return Target(Network.TELEGRAM, {"chat_id": chat_id, "message_id": message_id})


def _vk(url: str, config: PublicationConfig) -> Target | None:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    wall = _WALL.search(parts.path)
    if wall is not None:
        owner, post_id = int(wall[1]), int(wall[2])
        if not config.vk_wall or owner >= 0:
            return None  # only the community's own wall can take the community's comment
        if config.vk_group_id is not None and owner != -config.vk_group_id:
            return None
        ids: dict[str, Any] = {"owner_id": owner, "post_id": post_id}
        reply = query.get("reply", [""])[0]
        if reply.isdigit():
            ids["reply_to_comment"] = int(reply)
        return Target(Network.VK_WALL, ids)
    topic = _TOPIC.search(parts.path)
    if topic is not None and config.vk_board:
        group_id, topic_id = int(topic[1]), int(topic[2])
        if config.vk_group_id is not None and group_id != config.vk_group_id:
            return None
        return Target(Network.VK_BOARD, {"group_id": group_id, "topic_id": topic_id})
    return None


def vk_comment_link(target: Target, comment_id: int) -> str:
    """The link that opens the bot's comment: what is recorded as the publication."""
    ids = target.ids
    if target.network is Network.VK_BOARD:
        return f"{VK}/topic-{ids['group_id']}_{ids['topic_id']}?post={comment_id}"
    link = f"{VK}/wall{ids['owner_id']}_{ids['post_id']}?reply={comment_id}"
    if ids.get("reply_to_comment"):
        link += f"&thread={ids['reply_to_comment']}"
    return link


def telegram_message_link(chat_id: int, message_id: int, username: str | None) -> str:
    if username:
        return f"https://t.me/{username}/{message_id}"
    return f"https://t.me/c/{str(chat_id).removeprefix('-100')}/{message_id}"
