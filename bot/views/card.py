"""The incident card: one message per chat, edited in place as the incident changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.read_models import Names
from bot.views.card_regulation import dismissal_line, info_status
from bot.views.format import Translate, e, format_working, local_time, shorten
from workflow.calendars import Calendars
from workflow.model import (
    ANSWER_DEADLINE_KINDS,
    Deadline,
    DraftStatus,
    Importance,
    Incident,
)

CARD_TEXT_LIMIT = 4096  # Telegram's limit for a message
POST_PREVIEW = 700  # characters of the citizen's text shown on the card


def next_deadline(incident: Incident) -> Deadline | None:
    running = [d for d in incident.deadlines if d.running]
    steps = [d for d in running if d.kind not in ANSWER_DEADLINE_KINDS]
    pool = steps or running
    return min(pool, key=lambda d: d.due_at) if pool else None


def answer_deadline(incident: Incident) -> Deadline | None:
    return next(
        (d for d in incident.deadlines if d.running and d.kind in ANSWER_DEADLINE_KINDS), None
    )


def _deadline_line(
    deadline: Deadline, now: datetime, calendars: Calendars, tz: ZoneInfo, t: Translate
) -> str:
    kind = t(f"deadline.kind.{deadline.kind.value}")
    due = local_time(deadline.due_at, tz)
    if now >= deadline.due_at:
        late = calendars.lateness(deadline, now)
        return t("card.deadline_overdue", kind=kind, due=due, late=format_working(late, t))
    left = calendars.elapsed(deadline.party, deadline.org_code, now, deadline.due_at)
    return t("card.deadline", kind=kind, due=due, left=format_working(left, t))


def render_card_text(
    incident: Incident,
    names: Names,
    now: datetime,
    calendars: Calendars,
    tz: ZoneInfo,
    t: Translate,
    *,
    full_text: bool = False,
    flags: Sequence[str] = (),
) -> tuple[str, bool]:
    """The card's HTML text and whether the post was shortened (a "full text" button)."""
    post = incident.post
    lines = [
        t("card.title", id=incident.id, source=t(f"source.{post.source.value}"))
        + (" " + t("card.high_importance") if incident.importance is Importance.HIGH else ""),
    ]
    author = e(post.author_name) if post.author_name else t("card.author_unknown")
    lines.append(t("card.author_link", author=author, url=e(post.url)))
    limit = CARD_TEXT_LIMIT - 1500 if full_text else POST_PREVIEW
    text, shortened = shorten(post.text, limit)
    lines.append(f"<blockquote>{e(text)}</blockquote>")
    if "possible_p21" in flags:  # a hint from intake; the curator decides (п.21)
        lines.append(t("card.possible_p21"))
    if incident.topic or incident.location:
        lines.append(
            t(
                "card.topic_location",
                topic=e(incident.topic or "—"),
                location=e(incident.location or "—"),
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
        line += info_status(incident, assignment, tz, t)  # п.19
        if assignment.decline_comment:
            line += " — " + t("card.decline_comment", comment=e(assignment.decline_comment))
        lines.append(line)
    lines.append(t("card.status", status=t(f"status.{incident.status.value}")))
    if incident.no_answer_reason:
        lines.append(t(f"no_answer.{incident.no_answer_reason.value}"))
    if (dismissed := dismissal_line(incident, t)) is not None:  # п.10
        lines.append(dismissed)
    for draft in incident.drafts[-3:]:
        if draft.status in (DraftStatus.PENDING, DraftStatus.APPROVED, DraftStatus.RETURNED):
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
    step = next_deadline(incident)
    if step is not None:
        lines.append(_deadline_line(step, now, calendars, tz, t))
    answer = answer_deadline(incident)
    if answer is not None and answer is not step:
        lines.append(_deadline_line(answer, now, calendars, tz, t))
    return "\n".join(lines)[:CARD_TEXT_LIMIT], shortened
