"""Reports (issue 13): the marker of scheduled reports sent (their indexes: db/models.py).

A scheduled report (the monthly one, the quarterly rating) is written once per chat and
period: the marker's unique key is taken in the same transaction as the outbox rows, so a
restart or a second process does not send it again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class ReportMark(Base):
    __tablename__ = "report_marks"
    __table_args__ = (UniqueConstraint("key", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))  # e.g. "scheduled-monthly:2026-11-01"
    chat_id: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[datetime]
