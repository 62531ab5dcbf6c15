"""Incidents that come in through Telegram: comments under the official channel's posts,
messages a curator forwards to the bot, and `/new` with a link and text (п.2).

A source adapter only: each handler parses its message into a `Post` and hands it to the
one intake pipeline (bot/intake/service.py), which checks for duplicates and writes the
triage hints (п.21) exactly as for the HTTP API and VK."""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlparse

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import Message, MessageOriginChannel, MessageOriginChat, MessageOriginUser

from bot.intake.service import InvalidPost, Submission
from bot.intake.triage import Sender
from bot.services.people_service import PersonView
from bot.services.post_changes import ChangeKind, PostChange
from handlers.common import HasRole, Translate
from handlers.context import Services
from workflow.model import Post, Source
from workflow.roles import CURATOR_ROLES

log = logging.getLogger(__name__)

# Comments in the discussion groups of official channels: whoever writes, it is a citizen.
discussion = Router(name=__name__ + ".discussion")

# The curator's own ways in.
router = Router(name=__name__)
router.message.filter(HasRole(*CURATOR_ROLES))

MAX_TEXT = 20_000


def source_of(url: str) -> Source:
    host = (urlparse(url).hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if host in ("vk.com", "vk.ru"):
        return Source.VK
    if host in ("ok.ru", "odnoklassniki.ru"):
        return Source.OK
    if host in ("t.me", "telegram.me"):
        return Source.TELEGRAM
    return Source.OTHER


def message_link(message: Message) -> str:
    """A link that opens the comment: public groups by name, private ones by internal id."""
    chat = message.chat
    if chat.username:
        return f"https://t.me/{chat.username}/{message.message_id}"
    internal = str(chat.id).removeprefix("-100")
    return f"https://t.me/c/{internal}/{message.message_id}"


def _author(message: Message) -> tuple[str | None, str | None]:
    user = message.from_user
    if user is None:
        return None, None
    url = f"https://t.me/{user.username}" if user.username else None
    return user.full_name, url


class InDiscussionChat(Filter):
    """Only the comment groups configured as intake; other groups go on to other routers."""

    async def __call__(self, message: Message, services: Services) -> bool:
        return message.chat.id in services.discussion_chats


@discussion.message(InDiscussionChat())
async def discussion_comment(message: Message, services: Services) -> None:
    user = message.from_user
    if message.is_automatic_forward or user is None or user.is_bot:
        return  # the channel's own post mirrored into its group, or a bot
    text = (message.text or message.caption or "").strip()
    if not text:
        return
    name, profile = _author(message)
    post = Post(
        source=Source.TELEGRAM,
        url=message_link(message),
        text=text[:MAX_TEXT],
        author_name=name,
        author_url=profile,
        published_at=message.date,
        external_id=f"tg:{message.chat.id}:{message.message_id}",
    )
    # On behalf of a chat (an admin writing as the group or channel), else the person.
    sender = Sender("telegram", message.sender_chat.id if message.sender_chat else user.id)
    try:
        submitted = await services.intake.submit(
            post, detected_at=services.clock.now(), sender=sender
        )
    except InvalidPost as error:  # nothing left once control characters are stripped
        log.info("comment %s in %s not taken: %s", message.message_id, message.chat.id, error)
        return
    log.info(
        "comment %s in %s → incident %s (%s)",
        message.message_id,
        message.chat.id,
        submitted.incident_id,
        submitted.skipped or submitted.outcome.value,
    )


@discussion.edited_message(InDiscussionChat())
async def discussion_comment_edited(message: Message, services: Services) -> None:
    """The author edited a comment that is an incident: the card gets the new text."""
    if services.intake.post_changes is None or message.from_user is None:
        return
    text = (message.text or message.caption or "").strip()
    external_id = f"tg:{message.chat.id}:{message.message_id}"
    change = PostChange(Source.TELEGRAM, external_id, ChangeKind.EDITED, text[:MAX_TEXT])
    await services.intake.post_changes.apply(change)


async def _report(message: Message, submitted: Submission, t: Translate) -> None:
    if submitted.skipped is not None:
        await message.answer(t("intake.not_an_incident"))
        return
    key = "intake.created" if submitted.created else "intake.duplicate"
    await message.answer(t(key, id=submitted.incident_id))


@router.message(Command("new"))
async def new_by_hand(
    message: Message,
    command: CommandObject,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    parts = (command.args or "").strip().split(maxsplit=1)
    if len(parts) < 2 or not parts[0].startswith(("http://", "https://")):
        await message.answer(t("intake.new_usage"))
        return
    url, text = parts[0], parts[1].strip()
    post = Post(source=source_of(url), url=url[:2000], text=text[:MAX_TEXT])
    try:
        submitted = await services.intake.submit(post, by_person_id=person.id)
    except InvalidPost:  # nothing left once control characters are stripped
        await message.answer(t("intake.new_usage"))
        return
    await _report(message, submitted, t)


@router.message(F.chat.type == "private", F.forward_origin)
async def forwarded(message: Message, services: Services, person: PersonView, t: Translate) -> None:
    text = (message.text or message.caption or "").strip()
    if not text:
        await message.answer(t("intake.forward_without_text"))
        return
    origin = message.forward_origin
    author: str | None = None
    sender: Sender | None = None
    url: str
    if isinstance(origin, MessageOriginChannel):
        author = origin.author_signature or origin.chat.title
        url = (
            f"https://t.me/{origin.chat.username}/{origin.message_id}"
            if origin.chat.username
            else f"https://t.me/c/{str(origin.chat.id).removeprefix('-100')}/{origin.message_id}"
        )
    else:
        if isinstance(origin, MessageOriginUser):
            author = origin.sender_user.full_name
            sender = Sender("telegram", origin.sender_user.id)
        elif isinstance(origin, MessageOriginChat):
            author = origin.sender_chat.title
        else:
            author = getattr(origin, "sender_user_name", None)
        # A forwarded private message has no public link; the text and moment identify it.
        digest = hashlib.sha256(f"{origin.date.isoformat()}|{text}".encode()).hexdigest()[:16]
        url = f"https://t.me/forwarded/{digest}"
    post = Post(
        source=Source.TELEGRAM,
        url=url,
        text=text[:MAX_TEXT],
        author_name=author,
        published_at=origin.date,
    )
    try:
        submitted = await services.intake.submit(post, by_person_id=person.id, sender=sender)
    except InvalidPost:  # nothing left once control characters are stripped
        await message.answer(t("intake.forward_without_text"))
        return
    await _report(message, submitted, t)
