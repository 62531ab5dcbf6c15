"""The incident card: one message per chat, edited in place as the incident changes.

The card is the one truth about an incident: who wrote what where and when, where it went,
each organisation's state and its own deadlines, the draft now in play and its review, the
answer as published with its link.

Deadlines show their due moment in the reader's zone, never "time left": a card is redrawn
when the incident changes and when a deadline runs out (the scanner), not every minute, so
a countdown would go stale between redraws while a due moment stays true. The alerts carry
the time left at the moment they are sent.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.services.read_models import Names
from bot.views.card_regulation import dismissal_line, info_status
from bot.views.format import Translate, e, local_time, shorten
from workflow.model import (
    ANSWER_DEADLINE_KINDS,
    Deadline,
    Draft,
    DraftStatus,
    Importance,
    Incident,
    IncidentStatus,
    Party,
)

CARD_TEXT_LIMIT = 4096  # Telegram's limit for a message
POST_PREVIEW = 700  # characters of the citizen's text shown on the card
LINKS_SHOWN = 5  # attachments or repeats linked one by one; the rest counted
DUE_NOW = timedelta(minutes=1)  # within the due minute it is "due now", not overdue
_IN_PLAY = (DraftStatus.PENDING, DraftStatus.APPROVED, DraftStatus.RETURNED)


def next_deadline(incident: Incident) -> Deadline | None:
    running = [d for d in incident.deadlines if d.running]
    steps = [d for d in running if d.kind not in ANSWER_DEADLINE_KINDS]
    pool = steps or running
    return min(pool, key=lambda d: d.due_at) if pool else None


def answer_deadline(incident: Incident) -> Deadline | None:
    return next(
        (d for d in incident.deadlines if d.running and d.kind in ANSWER_DEADLINE_KINDS), None
    )


def _link(url: str, label: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{e(label)}</a>'


def _links(urls: Sequence[str]) -> str:
    shown = [_link(url, str(n)) for n, url in enumerate(urls[:LINKS_SHOWN], 1)]
    rest = len(urls) - LINKS_SHOWN
    return ", ".join(shown) + (f" +{rest}" if rest > 0 else "")


def _deadline_line(deadline: Deadline, now: datetime, tz: ZoneInfo, t: Translate) -> str:
    kind = t(f"deadline.kind.{deadline.kind.value}")
    due = local_time(deadline.due_at, tz)
    if now < deadline.due_at:
        return t("card.deadline", kind=kind, due=due)
    if now - deadline.due_at < DUE_NOW:
        return t("card.deadline_now", kind=kind, due=due)
    return t("card.deadline_overdue", kind=kind, due=due)


def _org_deadlines(
    incident: Incident, org_code: str, now: datetime, tz: ZoneInfo, t: Translate
) -> str:
    """The organisation's own running clocks, on its line: "проект ответа до 11:30"."""
    parts = []
    for deadline in incident.deadlines:
        if not deadline.running or deadline.org_code != org_code:
            continue
        if deadline.party is not Party.ORGANISATION:
            continue
        kind = t(f"deadline.kind.{deadline.kind.value}")
        due = local_time(deadline.due_at, tz)
        key = "card.org_deadline" if now < deadline.due_at else "card.org_deadline_overdue"
        parts.append(t(key, kind=kind, due=due))
    return ("; " + "; ".join(parts)) if parts else ""


def _header(
    incident: Incident, tz: ZoneInfo, t: Translate, full_text: bool
) -> tuple[list[str], bool]:
    post = incident.post
    lines = [
        t("card.title", id=incident.id, source=t(f"source.{post.source.value}"))
        + (" " + t("card.high_importance") if incident.importance is Importance.HIGH else ""),
    ]
    name = post.author_name or t("card.author_unknown")
    author = _link(post.author_url, name) if post.author_url else e(name)
    lines.append(t("card.author_link", author=author, url=html.escape(post.url, quote=True)))
    detected = local_time(incident.detected_at, tz)
    if post.published_at is not None:
        lines.append(t("card.times", posted=local_time(post.published_at, tz), detected=detected))
    else:
        lines.append(t("card.detected", detected=detected))
    limit = CARD_TEXT_LIMIT - 1500 if full_text else POST_PREVIEW
    text, shortened = shorten(post.text, limit)
    lines.append(f"<blockquote>{e(text)}</blockquote>")
    if post.attachments:
        lines.append(t("card.attachments", items=_links(post.attachments)))
    return lines, shortened


def _drafts(incident: Incident, names: Names, tz: ZoneInfo, t: Translate) -> list[str]:
    """Each organisation's latest draft of each kind: a published one with its link; one in
    play (in review, approved, returned) while the incident is open. Older versions are
    history (the timeline), not the card."""
    latest: dict[tuple[str, str], Draft] = {}
    for draft in incident.drafts:
        latest[(draft.org_code, draft.kind.value)] = draft
    published = [d for d in incident.drafts if d.status is DraftStatus.PUBLISHED]
    lines = [
        t(
            "card.published",
            kind=t(f"draft.kind.{d.kind.value}"),
            version=d.version,
            org=e(names.org(d.org_code)),
            at=local_time(d.published_at, tz) if d.published_at else "",
            url=html.escape(d.published_url or "", quote=True),
        )
        for d in published
    ]
    open_ = incident.status not in (IncidentStatus.ANSWERED, IncidentStatus.CLOSED_NO_ANSWER)
    for draft in latest.values():
        shown = draft.status is DraftStatus.ACCEPTED or (open_ and draft.status in _IN_PLAY)
        if not shown:
            continue
        lines.append(
            t(
                "card.draft",
                kind=t(f"draft.kind.{draft.kind.value}"),
                version=draft.version,
                org=e(names.org(draft.org_code)),
                status=t(f"draft.status.{draft.status.value}"),
            )
        )
        if draft.status is DraftStatus.RETURNED and draft.reviews:
            last = draft.reviews[-1]
            reasons = "; ".join(t(f"reason.{r.value}") for r in last.reasons)
            lines.append(t("card.returned_reasons", reasons=reasons))
            if last.comment:
                lines.append(t("card.review_comment", comment=e(last.comment)))
    return lines


def render_card_text(
    incident: Incident,
    names: Names,
    now: datetime,
    tz: ZoneInfo,
    t: Translate,
    *,
    full_text: bool = False,
    flags: Sequence[str] = (),
    duplicates: Sequence[str] = (),
) -> tuple[str, bool]:
    """The card's HTML text and whether the post was shortened (a "full text" button)."""
    lines, shortened = _header(incident, tz, t, full_text)
    if duplicates:
        lines.append(t("card.duplicates", count=len(duplicates), items=_links(duplicates)))
    if "possible_p21" in flags:  # a hint from intake; the curator decides (п.21)
        lines.append(t("card.possible_p21"))
    if "blacklisted_author" in flags:  # on the page's blacklist (bot/pages/intake.py)
        lines.append(t("pages.card_blacklisted"))
    for flag in ("post_deleted", "post_edited"):  # the post's later life (publication.po)
        if flag in flags:
            lines.append(t(f"card.{flag}"))
    if incident.topic or incident.location:
        lines.append(
            t(
                "card.topic_location",
                topic=e(incident.topic or ""),
                location=e(incident.location or ""),
            )
        )
    for assignment in incident.assignments:
        status = t(f"assignment.{assignment.status.value}")
        holder = (
            t("card.holder", name=e(names.person(assignment.holder_id)))
            if assignment.holder_id
            else ""
        )
        marker = " ★" if assignment.consolidator else ""
        line = f"• {e(names.org(assignment.org_code))}{marker}: {status}{holder}"
        line += _org_deadlines(incident, assignment.org_code, now, tz, t)
        line += info_status(incident, assignment, tz, t)  # п.19
        if assignment.decline_comment:
            line += " · " + t("card.decline_comment", comment=e(assignment.decline_comment))
        lines.append(line)
    lines.append(t("card.status", status=t(f"status.{incident.status.value}")))
    if incident.no_answer_reason:
        lines.append(t(f"no_answer.{incident.no_answer_reason.value}"))
    if (dismissed := dismissal_line(incident, t)) is not None:  # п.10
        lines.append(dismissed)
    lines += _drafts(incident, names, tz, t)
    # The centre's clocks and the answer's; the organisations' own are on their lines.
    for deadline in sorted(incident.deadlines, key=lambda d: d.due_at):
        if deadline.running and deadline.party is not Party.ORGANISATION:
            lines.append(_deadline_line(deadline, now, tz, t))
    return "\n".join(lines)[:CARD_TEXT_LIMIT], shortened
