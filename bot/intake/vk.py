"""VK Callback API: events of the administration's community turned into incidents.

VK posts one JSON event per request and resends it until it gets the text "ok", so every
event is stored idempotently under external id "{type}:{group}:{ids}" and answered "ok"
again; an event of a type we do not handle is answered "ok" and dropped, or VK would retry
it for ever. Payload shapes follow VK's Callback API (API version 5.103 and later, where
message_new carries {"message": …, "client_info": …}; the older bare message is accepted too).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from pydantic import ValidationError

from bot.intake import IntakeConfig
from bot.intake.schemas import VkEvent, check_http_url
from bot.intake.service import IntakeService, InvalidPost
from bot.intake.triage import Sender
from bot.intake.vk_changes import change_from_event
from bot.pages.vk import PagePostSink, community_post
from workflow.model import Post, Source

log = logging.getLogger(__name__)

VK = "https://vk.com"
CHAT_PEER_OFFSET = 2_000_000_000  # peer ids of group chats start here (not addressed to us)

HANDLED_EVENTS = frozenset(
    {
        "wall_reply_new",
        "wall_post_new",
        "board_post_new",
        "photo_comment_new",
        "video_comment_new",
        "market_comment_new",
        "message_new",
    }
)


class UnusableEvent(ValueError):
    """A handled event type whose object lacks what an incident needs."""


@dataclass(frozen=True, slots=True)
class VkPost:
    post: Post
    detected_at: datetime | None  # the event's `date`; None: now
    sender: Sender | None = None  # from_id: the pipeline skips the community's and officials'


@dataclass(frozen=True, slots=True)
class Ignored:
    reason: str


# --- payload → post (pure) --------------------------------------------------------------------


def post_from_event(
    event_type: str, obj: Mapping[str, Any] | None, group_id: int
) -> VkPost | Ignored:
    """The incident an event describes, or why there is none; UnusableEvent if malformed."""
    if event_type not in HANDLED_EVENTS:
        return Ignored(f"event type {event_type!r} is not handled")
    if not isinstance(obj, Mapping):
        raise UnusableEvent("the event has no object")
    if event_type == "message_new":
        return _message(obj, group_id)
    from_id = _int(obj, "from_id")
    own = -group_id  # the community's own posts are skipped by the pipeline (IntakeService)
    item_id = _int(obj, "id")
    if event_type == "wall_reply_new":
        post_id = _int(obj, "post_id")
        owner = _optional_int(obj, "post_owner_id") or _optional_int(obj, "owner_id") or own
        url = f"{VK}/wall{owner}_{post_id}?reply={item_id}"
        stack = obj.get("parents_stack")
        if isinstance(stack, Sequence) and stack and isinstance(stack[0], int):
            url += f"&thread={stack[0]}"  # a reply inside a comment's thread
        ids = f"{post_id}_{item_id}"
    elif event_type == "wall_post_new":
        owner = _optional_int(obj, "owner_id") or own
        if obj.get("post_type") == "postpone":
            return Ignored("a post scheduled by the community")
        if from_id == owner and owner != own:
            return Ignored("written by the wall's owner")
        url = f"{VK}/wall{owner}_{item_id}"
        ids = str(item_id)
    elif event_type == "board_post_new":
        topic_id = _int(obj, "topic_id")
        topic_owner = abs(_optional_int(obj, "topic_owner_id") or group_id)
        url = f"{VK}/topic-{topic_owner}_{topic_id}?post={item_id}"
        ids = f"{topic_id}_{item_id}"
    elif event_type == "photo_comment_new":
        photo_id = _int(obj, "photo_id")
        owner = _optional_int(obj, "photo_owner_id") or own
        # ?reply= points at the comment and keeps two comments on one photo apart.
        url = f"{VK}/photo{owner}_{photo_id}?reply={item_id}"
        ids = f"{photo_id}_{item_id}"
    elif event_type == "video_comment_new":
        video_id = _int(obj, "video_id")
        owner = _optional_int(obj, "video_owner_id") or own
        url = f"{VK}/video{owner}_{video_id}?reply={item_id}"
        ids = f"{video_id}_{item_id}"
    else:  # market_comment_new
        market_item = _int(obj, "item_id")
        owner = _optional_int(obj, "market_owner_id") or own
        url = f"{VK}/product{owner}_{market_item}?reply={item_id}"
        ids = f"{market_item}_{item_id}"
    return _vk_post(event_type, group_id, ids, url, obj, from_id)


def _message(obj: Mapping[str, Any], group_id: int) -> VkPost | Ignored:
    message = obj.get("message", obj)  # 5.103+: {"message": …, "client_info": …}
    if not isinstance(message, Mapping):
        raise UnusableEvent("message_new without a message")
    from_id = _int(message, "from_id")
    peer_id = _optional_int(message, "peer_id") or from_id
    if peer_id >= CHAT_PEER_OFFSET:
        return Ignored("a message in a group chat, not to the community")
    if message.get("out") in (1, True):
        return Ignored("a message sent by the community")
    message_id = _optional_int(message, "id") or _optional_int(message, "conversation_message_id")
    if not message_id:
        raise UnusableEvent("message_new without a message id")
    url = f"{VK}/gim{group_id}?sel={from_id}&msgid={message_id}"
    return _vk_post("message_new", group_id, f"{from_id}_{message_id}", url, message, from_id)


def _vk_post(
    event_type: str, group_id: int, ids: str, url: str, obj: Mapping[str, Any], from_id: int
) -> VkPost:
    text = obj.get("text")
    if text is not None and not isinstance(text, str):
        raise UnusableEvent("text is not a string")
    date = _optional_int(obj, "date")
    moment = datetime.fromtimestamp(date, UTC) if date and date > 0 else None
    author = f"{VK}/id{from_id}" if from_id > 0 else f"{VK}/club{-from_id}"
    post = Post(
        source=Source.VK,
        url=url,
        text=(text or "").strip(),
        author_name=None,  # the callback carries ids only; the profile link names the author
        author_url=author,
        published_at=moment,
        external_id=f"{event_type}:{group_id}:{ids}",
        attachments=attachment_urls(obj.get("attachments")),
    )
    return VkPost(post, moment, Sender(Source.VK.value, from_id))


def attachment_urls(items: Any) -> tuple[str, ...]:
    """Links to what the author attached: VK pages for media (stable), URLs for links."""
    if not isinstance(items, Sequence) or isinstance(items, str):
        return ()
    pages = {"photo": "photo", "video": "video", "doc": "doc", "market": "product", "wall": "wall"}
    urls: list[str] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        kind = item.get("type")
        body = item.get(kind) if isinstance(kind, str) else None
        if not isinstance(body, Mapping):
            continue
        url: str | None = None
        if kind == "link" and isinstance(body.get("url"), str):
            url = body["url"]
        elif kind in pages:
            owner = body.get("owner_id", body.get("to_id"))
            media_id = body.get("id")
            if isinstance(owner, int) and isinstance(media_id, int):
                url = f"{VK}/{pages[kind]}{owner}_{media_id}"
        if url is not None:
            try:
                urls.append(check_http_url(url))
            except ValueError:
                continue
    return tuple(dict.fromkeys(urls))


def _int(obj: Mapping[str, Any], key: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise UnusableEvent(f"{key} is missing or not a number")
    return value


def _optional_int(obj: Mapping[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


# --- the aiohttp handler ----------------------------------------------------------------------

OK = "ok"


def _text(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/plain")


@dataclass(frozen=True, slots=True)
class VkReply:
    response: web.Response
    refused: str | None = None  # why, for the app's refusal log (never the secret itself)


class VkCallback:
    """POST /vk/callback. Body size and rate limits are checked by the app (http_api)."""

    def __init__(
        self, config: IntakeConfig, intake: IntakeService, pages: PagePostSink | None = None
    ) -> None:
        if config.vk_group_id is None or config.vk_confirmation is None:
            raise ValueError("the VK callback needs a group id and a confirmation string")
        self._group_id = config.vk_group_id
        self._confirmation = config.vk_confirmation
        self._secret = config.vk_secret.encode() if config.vk_secret else None
        self._skew = timedelta(seconds=config.max_clock_skew_seconds)
        self._intake = intake
        self._pages = pages  # the community's own posts count for its page (docs/pages.md)
        if self._secret is None:
            log.warning("VK callback without a secret key: anyone who knows the URL can post")

    async def handle(self, body: bytes) -> VkReply:
        try:
            event = VkEvent.model_validate(json.loads(body))
        except (ValueError, ValidationError):
            return VkReply(_text("bad request", 400), "the body is not a VK event")
        if event.group_id != self._group_id:
            return VkReply(_text("wrong group", 403), f"event for group {event.group_id}")
        secret_given = event.secret is not None
        if event.type == "confirmation" and not secret_given:
            return VkReply(_text(self._confirmation))  # VK may confirm before a secret is set
        if self._secret is not None and not (
            secret_given and hmac.compare_digest(str(event.secret).encode(), self._secret)
        ):
            return VkReply(_text("forbidden", 403), "missing or wrong secret")
        if event.type == "confirmation":
            return VkReply(_text(self._confirmation))
        own = community_post(event.type, event.object, self._group_id)
        if own is not None and self._pages is not None:
            # A publication of the page, never an incident: counted, whatever triage says.
            now = self._intake.clock.now()
            posted_at = (
                own.posted_at if own.posted_at and own.posted_at <= now + self._skew else now
            )
            await self._pages.record_vk_post(self._group_id, own.post_id, posted_at)
            return VkReply(_text(OK))
        change = change_from_event(event.type, event.object, self._group_id)
        if change is not None:  # an edit, deletion or restoration of a post already received
            if self._intake.post_changes is not None:
                await self._intake.post_changes.apply(change)
            return VkReply(_text(OK))
        try:
            found = post_from_event(event.type, event.object, self._group_id)
        except UnusableEvent as error:
            # Retrying cannot mend it: say "ok" so that VK stops, and leave a trace.
            log.warning("VK %s event %s unusable: %s", event.type, event.event_id, error)
            return VkReply(_text(OK))
        if isinstance(found, Ignored):
            log.debug("VK %s event %s ignored: %s", event.type, event.event_id, found.reason)
            return VkReply(_text(OK))
        detected_at = found.detected_at
        if detected_at is not None and detected_at > self._intake.clock.now() + self._skew:
            detected_at = None  # a clock ahead of ours: count from now rather than the future
        try:
            submission = await self._intake.submit(
                found.post, detected_at=detected_at, sender=found.sender
            )
        except InvalidPost as error:  # e.g. nothing left once control characters are gone
            log.warning("VK %s event %s unusable: %s", event.type, event.event_id, error)
            return VkReply(_text(OK))
        log.info(
            "VK %s event %s: incident %s (%s)",
            event.type,
            event.event_id,
            submission.incident_id,
            submission.skipped or submission.outcome.value,
        )
        return VkReply(_text(OK))
