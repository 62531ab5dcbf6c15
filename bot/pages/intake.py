"""What the official pages add to an incident as it is opened (called by the intake's
triage, bot/intake/dedupe.py, in the same unit of work):

- its author is blacklisted on the page it was posted on → the flag `blacklisted_author`,
  which the card shows;
- it is flagged as a possible п.21 case and was posted on a registry page → the page's
  responsible official is asked to remove the comment (000 п.5, 001 п.8, 004 п.9, 003
  App. 2 п.14) and offered a button that blacklists the author.
"""

from __future__ import annotations

from datetime import datetime

from bot.i18n import DEFAULT_LOCALE
from bot.pages.duties import page_owner
from bot.services.outbox_writer import OutboxWriter
from bot.services.pages import page_of_post
from bot.services.replies import KEYBOARD_PARAM
from bot.views.callbacks import PageCb, PageOp
from bot.views.keyboard import button
from db.outbox_repository import Priority
from db.uow import UnitOfWork
from workflow.effects import Message
from workflow.model import Incident

BLACKLISTED = "blacklisted_author"
P21 = "possible_p21"
REMOVE_KEY = "pages.remove_comment"

# A recipient's own language applies when the directory gives one.
_writer = OutboxWriter(DEFAULT_LOCALE)


async def page_hints(
    uow: UnitOfWork, incident: Incident, flags: tuple[str, ...], now: datetime
) -> tuple[str, ...]:
    """The flags to add to the new incident (and the п.21 request, written here)."""
    post = incident.post
    pages = await uow.pages.pages()
    if not pages:
        return ()
    page = page_of_post(pages, post.url)
    added: list[str] = []
    blocked_on = await uow.pages.blacklisted_on(_spellings(post.author_url))
    if blocked_on and (page is None or page.id in blocked_on):
        added.append(BLACKLISTED)
    if page is not None and P21 in flags:
        snapshot = await uow.directory.snapshot()
        params = {
            "incident_id": incident.id,
            "page": page.title or page.url,
            "url": post.url,
            "author": post.author_url or "—",
            "org_code": page.org_code,
        }
        if post.author_url and BLACKLISTED not in added:
            block = PageCb(op=PageOp.BLOCK, id=incident.id).pack()
            params[KEYBOARD_PARAM] = [[button(block, key="pages.button.block")]]
        message = Message(
            page_owner(page, snapshot),
            REMOVE_KEY,
            params,
            incident_id=incident.id,
        )
        await _writer.messages(uow, [message], now, priority=Priority.ACTION)
    return tuple(added)


def _spellings(author_url: str | None) -> list[str]:
    """A profile link with and without its trailing slash."""
    if not author_url or not author_url.strip():
        return []
    bare = author_url.strip().rstrip("/")
    return [bare, bare + "/"]
