"""The incident as a value: its assignments, drafts, reviews and deadlines.

Everything here is immutable; commands (workflow/commands.py) return new values.
All moments are aware datetimes in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Source(StrEnum):
    VK = "vk"
    OK = "ok"
    TELEGRAM = "telegram"
    OTHER = "other"


class Importance(StrEnum):
    NORMAL = "normal"
    HIGH = "high"  # п.17


class IncidentStatus(StrEnum):
    NEW = "new"  # detected, waiting to be routed (п.10)
    IN_WORK = "in_work"  # routed to one or more organisations
    INTERIM = "interim"  # interim answer published, final answer due (п.18)
    ANSWERED = "answered"  # final answer published (п.16)
    CLOSED_NO_ANSWER = "closed_no_answer"  # п.21
    DISMISSED = "dismissed"  # п.10: the curator found it needs no answer (not п.21)


OPEN_STATUSES: frozenset[IncidentStatus] = frozenset(
    {IncidentStatus.NEW, IncidentStatus.IN_WORK, IncidentStatus.INTERIM}
)


class AssignmentStatus(StrEnum):
    SENT = "sent"  # received by the organisation, nobody has taken it yet
    TAKEN = "taken"  # an executor holds it
    DECLINED = "declined"  # "not ours" (п.11)
    INFO_SENT = "info_sent"  # its information for the consolidated answer is in (п.19)
    WITHDRAWN = "withdrawn"  # the curator took it back (closed, dismissed, silent in п.19)
    DONE = "done"  # its answer was published


class DraftKind(StrEnum):
    ANSWER = "answer"  # проект ответа (п.12)
    INTERIM = "interim"  # промежуточный ответ (п.12, п.18)
    CLARIFICATION = "clarification"  # запрос (уточнение) (п.13)
    INFO = "info"  # information for a consolidated answer (п.19)


class DraftStatus(StrEnum):
    PENDING = "pending"  # waiting for the curator (п.14)
    RETURNED = "returned"  # sent back with reasons (п.14, п.15)
    APPROVED = "approved"  # waiting to be published (п.16)
    PUBLISHED = "published"
    SUPERSEDED = "superseded"  # a later version replaced it, or the step no longer applies
    ACCEPTED = "accepted"  # INFO received by the curator; not published by itself


class ReturnReason(StrEnum):
    """The four reasons of п.14 for returning a draft."""

    OFF_TOPIC = "off_topic"  # does not match the essence of the question
    FORMAT = "format"  # does not meet п.20
    REDIRECTS = "redirects"  # redirects the author to another body
    SPELLING = "spelling"  # spelling or punctuation mistakes


class NoAnswerReason(StrEnum):
    """п.21: posts that get no answer."""

    INTENT_TO_HARM = "intent_to_harm"
    OBSCENE = "obscene"
    THREAT = "threat"
    POST_DELETED = "post_deleted"  # the author deleted the post: nothing left to answer


class DismissalGround(StrEnum):
    """п.10: why a post needs no answer (the policy chooses which grounds are offered)."""

    GRATITUDE = "gratitude"  # thanks, or no question in it
    OFF_TOPIC = "off_topic"  # not about the work of the administration or its organisations
    OFFICIAL = "official"  # a post of the administration or of its official
    SPAM = "spam"  # advertising or spam
    DUPLICATE = "duplicate"  # repeats incident N (its number is kept)


class MediaKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"
    DOCUMENT = "document"


class DeadlineKind(StrEnum):
    ANSWER = "answer"  # п.9 / п.17: the answer published
    FINAL_ANSWER = "final_answer"  # п.18: after an interim answer
    ROUTE = "route"  # п.10 (п.19 for several organisations)
    RESPOND = "respond"  # п.11 / п.13: take it, say "not ours" or ask a clarification
    REROUTE = "reroute"  # п.11: curator after "not ours"
    DRAFT = "draft"  # п.12: draft due before the answer deadline
    INFO = "info"  # п.19: each organisation's information
    REVIEW = "review"  # п.14
    RESUBMIT = "resubmit"  # п.15
    PUBLISH = "publish"  # п.16


# The deadlines that say when the author must have an answer: exactly one runs while open.
ANSWER_DEADLINE_KINDS: frozenset[DeadlineKind] = frozenset(
    {DeadlineKind.ANSWER, DeadlineKind.FINAL_ANSWER}
)


class DeadlineState(StrEnum):
    RUNNING = "running"
    MET = "met"  # the step was done (possibly late: see Deadline.met_at vs due_at)
    CANCELLED = "cancelled"  # the step no longer applies


class Party(StrEnum):
    """Who must act on a deadline; the calendar of that party counts it."""

    CENTRE = "centre"  # curator and deputies, the centre's calendar
    ORGANISATION = "organisation"  # the organisation's executors, its calendar
    EVERYONE = "everyone"  # the answer clock: counted on the centre's calendar


@dataclass(frozen=True, slots=True)
class Media:
    kind: MediaKind
    file_id: str  # Telegram file id
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class Review:
    reviewer_id: int
    at: datetime
    approved: bool
    reasons: tuple[ReturnReason, ...] = ()
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    id: int  # unique within the incident, 1-based, in submission order
    org_code: str
    kind: DraftKind
    version: int  # 1, 2, ... per (org, kind) round of returns (п.15)
    text: str
    author_id: int
    submitted_at: datetime
    status: DraftStatus
    media: tuple[Media, ...] = ()
    reviews: tuple[Review, ...] = ()
    published_at: datetime | None = None
    published_url: str | None = None
    published_by: int | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    org_code: str
    status: AssignmentStatus
    received_at: datetime
    holder_id: int | None = None  # the executor who took it
    decline_comment: str | None = None
    consolidator: bool = False  # writes the consolidated answer (п.19)


@dataclass(frozen=True, slots=True)
class Deadline:
    """One clock of the regulation.

    `Incident.deadlines` is append-only: a deadline is never removed or reordered, so its
    position in the tuple is its identity (commands replace a deadline by cancelling it and
    appending a new one).
    """

    kind: DeadlineKind
    party: Party
    due_at: datetime
    started_at: datetime  # the moment the clause counts from (detection for ANSWER)
    state: DeadlineState = DeadlineState.RUNNING
    org_code: str | None = None  # the organisation concerned (also on REVIEW / PUBLISH by centre)
    ended_at: datetime | None = None
    draft_id: int | None = None  # REVIEW / RESUBMIT / PUBLISH: the Draft.id concerned

    @property
    def running(self) -> bool:
        return self.state is DeadlineState.RUNNING


@dataclass(frozen=True, slots=True)
class StageLimits:
    """п.18: after an interim answer the curator sets the lengths of the steps of п.11–16.

    None keeps the policy's length. `draft_margin` is how long before the final-answer
    deadline the draft is due (the п.12 rule with the curator's margin).
    """

    respond: timedelta | None = None  # п.11 / п.13: take, say "not ours" or ask a clarification
    reroute: timedelta | None = None  # п.11: the curator re-routes after "not ours"
    draft_margin: timedelta | None = None  # п.12
    review: timedelta | None = None  # п.14
    resubmit: timedelta | None = None  # п.15
    publish: timedelta | None = None  # п.16


@dataclass(frozen=True, slots=True)
class Post:
    """What the citizen posted and where (п.2)."""

    source: Source
    url: str
    text: str
    author_name: str | None = None
    author_url: str | None = None
    published_at: datetime | None = None
    external_id: str | None = None
    attachments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Incident:
    id: int
    post: Post
    detected_at: datetime
    status: IncidentStatus
    importance: Importance = Importance.NORMAL
    topic: str | None = None
    location: str | None = None
    assignments: tuple[Assignment, ...] = ()
    drafts: tuple[Draft, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    no_answer_reason: NoAnswerReason | None = None
    version: int = 0  # optimistic concurrency: every applied command adds one (detect gives 1)
    consolidated: bool = False  # п.19: several organisations give information for one answer
    stage_limits: StageLimits | None = None  # п.18: set by the curator after an interim answer
    dismissal_ground: str | None = None  # п.10: a DismissalGround value while DISMISSED
    dismissal_duplicate_of: int | None = None  # п.10: the incident a duplicate repeats
