"""SQLAlchemy 2 typed models: the directory, incidents and their history, the outbox.

The same schema runs on SQLite and PostgreSQL: BigInteger for Telegram ids, UTC datetimes,
plain JSON, enums stored as strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base
from db.types import str_enum
from workflow.model import (
    AssignmentStatus,
    DeadlineKind,
    DeadlineState,
    DraftKind,
    DraftStatus,
    Importance,
    IncidentStatus,
    MediaKind,
    NoAnswerReason,
    Party,
    Source,
)
from workflow.roles import Role


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    is_centre: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone: Mapped[str | None] = mapped_column(String(64))  # None: the centre's
    office_hours: Mapped[str | None] = mapped_column(String(200))  # None: the centre's
    topics: Mapped[list[Any]] = mapped_column(default=list)
    # п.16: "auto" (the bot publishes on approval), "press" or "manual"; None: "auto".
    publish: Mapped[str | None] = mapped_column(String(16))

    people: Mapped[list[Person]] = relationship(back_populates="organisation")
    chats: Mapped[list[GroupChat]] = relationship(back_populates="organisation")


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # the directory's handle
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)  # lower case, no @
    full_name: Mapped[str] = mapped_column(String(300))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The person's VK user id: their posts are not incidents (п.10, an official's own post).
    vk_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)

    organisation: Mapped[Organisation | None] = relationship(back_populates="people")
    roles: Mapped[list[PersonRole]] = relationship(
        cascade="all, delete-orphan", order_by="PersonRole.role"
    )


class PersonRole(Base):
    __tablename__ = "person_roles"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role), primary_key=True)


class GroupChat(Base):
    """A Telegram group bound to an organisation (its executors work there) or to the centre."""

    __tablename__ = "group_chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str | None] = mapped_column(String(300))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))

    organisation: Mapped[Organisation] = relationship(back_populates="chats")


class StandIn(Base):
    """Who replaces a person while they are away (п.8), in order of preference."""

    __tablename__ = "stand_ins"
    __table_args__ = (UniqueConstraint("person_id", "substitute_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    substitute_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    priority: Mapped[int] = mapped_column(Integer, default=0)


class Absence(Base):
    """A period of illness, leave or travel (п.8) during which stand-ins act."""

    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_person_period", "person_id", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]  # None: until the person says they are back
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class Invitation(Base):
    """A deep-link code that registers a person with their roles."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


# --- incidents --------------------------------------------------------------------------------


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_incidents_status", "status"),
        Index("ix_incidents_url", "url"),
        Index("ix_incidents_author_detected", "author_url", "detected_at"),  # near-duplicates
        Index("ix_incidents_detected_at", "detected_at"),  # reports: a period's incidents
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[Source] = mapped_column(str_enum(Source))
    url: Mapped[str] = mapped_column(String(2000))
    external_id: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str | None] = mapped_column(String(300))
    author_url: Mapped[str | None] = mapped_column(String(2000))
    published_at: Mapped[datetime | None]
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    detected_at: Mapped[datetime]
    status: Mapped[IncidentStatus] = mapped_column(str_enum(IncidentStatus))
    importance: Mapped[Importance] = mapped_column(str_enum(Importance))
    topic: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(300))
    no_answer_reason: Mapped[NoAnswerReason | None] = mapped_column(str_enum(NoAnswerReason))
    # п.10: why it needs no answer (a DismissalGround value), and what a duplicate repeats.
    dismissal_ground: Mapped[str | None] = mapped_column(String(32))
    dismissal_duplicate_of: Mapped[int | None] = mapped_column(Integer)
    consolidated: Mapped[bool] = mapped_column(Boolean, default=False)  # п.19
    # п.18: step lengths (seconds) the curator set for the stage after an interim answer.
    stage_limits: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=0)
    # Triage hints for the curator (intake); the workflow itself does not read them.
    flags: Mapped[list[Any]] = mapped_column(default=list)  # e.g. "possible_p21"
    suggested_topic: Mapped[str | None] = mapped_column(String(200))
    suggested_orgs: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    assignments: Mapped[list[AssignmentRow]] = relationship(
        cascade="all, delete-orphan", order_by="AssignmentRow.id"
    )
    drafts: Mapped[list[DraftRow]] = relationship(
        cascade="all, delete-orphan", order_by="DraftRow.number"
    )
    deadlines: Mapped[list[DeadlineRow]] = relationship(
        cascade="all, delete-orphan", order_by="DeadlineRow.position"
    )


class DuplicatePost(Base):
    """A post found to repeat an open incident (same URL, or same author and text within a
    day): attached to it instead of opening another incident."""

    __tablename__ = "duplicate_posts"
    __table_args__ = (Index("ix_duplicate_posts_incident", "incident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    source: Mapped[Source] = mapped_column(str_enum(Source))
    url: Mapped[str] = mapped_column(String(2000))
    external_id: Mapped[str | None] = mapped_column(String(200))
    author_name: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]


class AssignmentRow(Base):
    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("incident_id", "org_code"),
        Index("ix_assignments_org_incident", "org_code", "incident_id"),  # reports of one org
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    org_code: Mapped[str] = mapped_column(String(64))
    status: Mapped[AssignmentStatus] = mapped_column(str_enum(AssignmentStatus))
    received_at: Mapped[datetime]
    holder_id: Mapped[int | None] = mapped_column(BigInteger)
    decline_comment: Mapped[str | None] = mapped_column(Text)
    consolidator: Mapped[bool] = mapped_column(Boolean, default=False)


class DraftRow(Base):
    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("incident_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # Draft.id within the incident
    org_code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[DraftKind] = mapped_column(str_enum(DraftKind))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(BigInteger)
    submitted_at: Mapped[datetime]
    status: Mapped[DraftStatus] = mapped_column(str_enum(DraftStatus))
    published_at: Mapped[datetime | None]
    published_url: Mapped[str | None] = mapped_column(String(2000))
    published_by: Mapped[int | None] = mapped_column(BigInteger)

    media: Mapped[list[DraftMediaRow]] = relationship(
        cascade="all, delete-orphan", order_by="DraftMediaRow.position"
    )
    reviews: Mapped[list[ReviewRow]] = relationship(
        cascade="all, delete-orphan", order_by="ReviewRow.id"
    )


class DraftMediaRow(Base):
    __tablename__ = "draft_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[MediaKind] = mapped_column(str_enum(MediaKind))
    file_id: Mapped[str] = mapped_column(String(300))
    caption: Mapped[str | None] = mapped_column(Text)


class ReviewRow(Base):
    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_draft_id", "draft_id"),)  # reports: a period's returns

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime]
    approved: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[Any]] = mapped_column(default=list)  # ReturnReason values (п.14)
    comment: Mapped[str | None] = mapped_column(Text)


class DeadlineRow(Base):
    __tablename__ = "deadlines"
    __table_args__ = (
        UniqueConstraint("incident_id", "position"),
        Index("ix_deadlines_state_due", "state", "due_at"),
        Index("ix_deadlines_next_alert", "next_alert_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # its index in Incident.deadlines
    kind: Mapped[DeadlineKind] = mapped_column(str_enum(DeadlineKind))
    party: Mapped[Party] = mapped_column(str_enum(Party))
    org_code: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    state: Mapped[DeadlineState] = mapped_column(str_enum(DeadlineState))
    ended_at: Mapped[datetime | None]
    draft_number: Mapped[int | None] = mapped_column(Integer)  # Draft.id concerned
    # The reminder ladder: when the scanner next looks at this deadline, and how far it got.
    next_alert_at: Mapped[datetime | None]
    alert_stage: Mapped[int] = mapped_column(Integer, default=0)


class EventRow(Base):
    """Append-only log: one row per applied command, replayable into the incident's state."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("incident_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


# --- delivery ---------------------------------------------------------------------------------


class OutboxRow(Base):
    """A message to send, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "state", "not_before", "id"),
        Index("ix_outbox_chat", "chat_id", "state", "id"),
        Index("ix_outbox_chat_priority", "chat_id", "state", "priority", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))  # message | card | media
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    key: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    locale: Mapped[str] = mapped_column(String(8), default="ru")
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed
    # Order in a chat: 0 reply to a press, 1 needs action, 2 notice (db/outbox_repository).
    priority: Mapped[int] = mapped_column(SmallInteger, default=2, server_default="2")
    not_before: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)


class IncidentCard(Base):
    """The one message per chat that shows an incident, edited in place as it changes."""

    __tablename__ = "incident_cards"
    __table_args__ = (UniqueConstraint("incident_id", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


# Tables of other topics, each in its own module on the same Base (see db/base.py), are
# imported below so that `import db.models` loads the whole schema.
from db import models_pages as _pages  # noqa: E402, F401
from db import models_publication as _publication  # noqa: E402, F401
from db import models_reports as _reports  # noqa: E402, F401
from db import models_shell as _shell  # noqa: E402, F401
