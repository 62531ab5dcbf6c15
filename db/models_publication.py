"""п.16: the approved text waiting to be published by the bot where the incident was posted.

One row per approved draft, written in the approval's transaction (or at the publisher's
press) and carried out by the publication worker (bot/publication/). The `guid` goes with
every VK request, so a retry after a lost answer never posts twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class PublicationJob(Base):
    __tablename__ = "publication_jobs"
    __table_args__ = (
        UniqueConstraint("incident_id", "draft_id"),
        Index("ix_publication_jobs_due", "state", "not_before", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    draft_id: Mapped[int] = mapped_column(Integer)
    network: Mapped[str] = mapped_column(String(16))  # vk_wall | vk_board | telegram
    target: Mapped[dict[str, Any]] = mapped_column(default=dict)  # ids of what is answered
    text: Mapped[str] = mapped_column(Text)
    media: Mapped[list[Any]] = mapped_column(default=list)  # [{"kind", "file_id"}]
    guid: Mapped[str] = mapped_column(String(64), unique=True)
    requested_by: Mapped[int] = mapped_column(BigInteger)  # the approver or the presser
    # pending → sending → posted (link known) → done; or manual (the publisher does it).
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime]
    url: Mapped[str | None] = mapped_column(String(2000))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
