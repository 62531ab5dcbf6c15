"""The intake's checks inside detection's unit of work (IncidentService.detect's `triage`).

Before an incident is opened: is the post already one (external id, URL), was it attached to
one before, or does its author repeat an open incident nearly word for word (then it is
attached instead of opening another)? After it is opened: its hints (п.21 flags, suggested
topic and organisations) are written in the same commit.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from bot.intake.rules import TriageRulesCache
from bot.intake.triage import Hints, TriageRules, author_key, is_near_duplicate
from bot.pages.intake import page_hints
from db.intake_repository import AuthorWindow, StoredHints
from db.uow import UnitOfWork
from workflow.model import Incident, Post

log = logging.getLogger(__name__)

CANDIDATES = 50  # open incidents of one author within the window compared by text


def author_url_spellings(author_url: str | None) -> list[str]:
    """The stored URL may differ by a trailing slash; compare a few spellings."""
    if not author_url or not author_url.strip():
        return []
    spellings = {author_url.strip(), author_url.strip().rstrip("/")}
    spellings |= {s + "/" for s in list(spellings)}
    return sorted(spellings)


class IntakeTriage:
    """One post's triage. After detection: `attached` says whether the post was attached to
    an open incident, `hints` what was written on a new one, `stored` what an existing one
    carries."""

    def __init__(self, rules: TriageRulesCache, topic_hint: str | None = None) -> None:
        self._rules = rules
        self._topic_hint = topic_hint
        self.attached = False
        self.hints = Hints()
        self.stored: StoredHints | None = None

    async def known(
        self, uow: UnitOfWork, post: Post, detected_at: datetime, now: datetime
    ) -> int | None:
        """The incident this post already is or repeats (attaching it once), or None."""
        self.attached = False  # detection may ask again after a lost race
        rules = await self._rules.get(uow)
        found, candidates = await uow.intake.look_up(
            post, _author_window(post, rules, detected_at), CANDIDATES
        )
        if found is not None:
            self.attached = found.attached
            self.stored = await uow.intake.hints(found.incident_id)
            return found.incident_id
        target = next(
            (
                incident_id
                for incident_id, text in candidates
                if is_near_duplicate(post.text, text, rules.duplicate_ratio)
            ),
            None,
        )
        if target is None:
            return None
        await uow.intake.attach(target, post, now)
        log.info("post %s attached to open incident %s as a near-duplicate", post.url, target)
        self.attached = True
        self.stored = await uow.intake.hints(target)
        return target

    async def opened(self, uow: UnitOfWork, incident: Incident, now: datetime) -> None:
        """Write the hints on the new incident's row; the workflow never reads them."""
        rules = await self._rules.get(uow)
        self.hints = hints = rules.hints(incident.post.text, self._topic_hint)
        # The official pages' marks: a blacklisted author, a п.21 request (docs/pages.md).
        extra = await page_hints(uow, incident, hints.flags, now)
        if extra:
            self.hints = hints = replace(hints, flags=(*hints.flags, *extra))
        if hints.flags or hints.suggested_topic or hints.suggested_orgs:
            await uow.intake.set_hints(
                incident.id, hints.flags, hints.suggested_topic, hints.suggested_orgs
            )


def _author_window(post: Post, rules: TriageRules, detected_at: datetime) -> AuthorWindow | None:
    """Whose open incidents this post may repeat, or None: without an author or a text
    there is nothing to compare, and it is never a repeat."""
    if author_key(post.author_url, post.author_name) is None or not post.text.strip():
        return None
    window = timedelta(hours=rules.duplicate_window_hours)
    return AuthorWindow(
        urls=author_url_spellings(post.author_url),
        name=post.author_name,
        since=detected_at - window,
        until=detected_at + window,
    )
