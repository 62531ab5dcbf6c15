"""Official pages: the registry, publications counted, duties with clocks, notices sent
once, the blacklist (workflow/pages.py says what each is for)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.types import str_enum
from workflow.pages import DutyKind, Network, PageKind


class Page(Base):
    """A page in the registry; a deleted page keeps its row (inactive) and its history."""

    __tablename__ = "pages"
    __table_args__ = (
        Index("ix_pages_vk_group", "vk_group_id"),
        Index("ix_pages_telegram_chat", "telegram_chat_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500), unique=True)  # normalised
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    network: Mapped[Network] = mapped_column(str_enum(Network))
    title: Mapped[str | None] = mapped_column(String(300))
    vk_group_id: Mapped[int | None] = mapped_column(BigInteger)
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[PageKind] = mapped_column(str_enum(PageKind))
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    state_mark: Mapped[bool] = mapped_column(Boolean, default=False)  # госметка
    gospubliki: Mapped[bool] = mapped_column(Boolean, default=False)  # connected to Госпаблики
    weekly_quota: Mapped[int | None] = mapped_column(Integer)  # None: the kind's default
    from_file: Mapped[bool] = mapped_column(Boolean, default=True)  # else added by /page_add
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: deleted


class PageAdmin(Base):
    """An authorised person of a page (an administrator of the community)."""

    __tablename__ = "page_admins"

    page_id: Mapped[int] = mapped_column(
        ForeignKey("pages.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )


class PagePost(Base):
    """A publication counted for a page: from VK's callback, a channel post, or /posted."""

    __tablename__ = "page_posts"
    __table_args__ = (
        UniqueConstraint("page_id", "external_id"),
        Index("ix_page_posts_page_posted", "page_id", "posted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))  # the link for hand reports
    url: Mapped[str] = mapped_column(String(2000))
    posted_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(16))  # vk | telegram | manual
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class PageDuty(Base):
    """Something the page's responsible official must do by a working-days deadline."""

    __tablename__ = "page_duties"
    __table_args__ = (Index("ix_page_duties_state_next", "state", "next_alert_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    kind: Mapped[DutyKind] = mapped_column(str_enum(DutyKind))
    change: Mapped[str | None] = mapped_column(String(16))  # created | deleted (reports)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # None until the scheduler settles it: a directory import has no clock, so a duty it
    # records starts when the bot first sees it (within a minute), on the page's calendar.
    started_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | done
    alert_stage: Mapped[int] = mapped_column(Integer, default=0)  # 1 reminded, 2 overdue
    next_alert_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    done_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PageNotice(Base):
    """A notice that must go once (a week's reminder, a Monday table): its key, kept."""

    __tablename__ = "page_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]


class PageBlacklist(Base):
    """An author blocked on a page (000 п.5, 001 п.8, 004 п.9, 003 App. 2 п.14)."""

    __tablename__ = "page_blacklist"
    __table_args__ = (UniqueConstraint("page_id", "author_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    author_url: Mapped[str] = mapped_column(String(2000))
    reason: Mapped[str] = mapped_column(Text)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    added_at: Mapped[datetime]
