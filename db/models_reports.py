"""Reports (issue 13): the marker of scheduled reports sent (their indexes: db/models.py),
and the stored facts of closed incidents.

A scheduled report (the monthly one, the quarterly rating) is written once per chat and
period: the marker's unique key is taken in the same transaction as the outbox rows, so a
restart or a second process does not send it again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class ReportMark(Base):
    __tablename__ = "report_marks"
    __table_args__ = (UniqueConstraint("key", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))  # e.g. "scheduled-monthly:2026-11-01"
    chat_id: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[datetime]


class ReportFact(Base):
    """What the figures read of one closed incident, as `db/report_tallies.py` computes it
    (the flags of `workflow.report_sums`, moments as epoch microseconds), at the incident's
    `version`: every change of an incident or its children bumps its version, so a row
    whose version is not the incident's is ignored (and stored again). Only incidents that
    are closed and have no answer or final clock running are stored: their facts do not
    depend on the moment of the report; and kept by one organisation at most (one row
    per incident: those kept by several, few, are judged at each report). Working time
    is not stored (it depends on the calendars): it is counted from the moments."""

    __tablename__ = "report_facts"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    version: Mapped[int]
    org_code: Mapped[str | None] = mapped_column(String(64))  # the one that kept it (None: none)
    status: Mapped[str] = mapped_column(String(32))
    interim: Mapped[int]  # 1: an interim answer was published
    answer: Mapped[int | None] = mapped_column(Integer)  # the answer clock's flag
    final: Mapped[int | None] = mapped_column(Integer)  # the п.18 final clock's flag
    detected_us: Mapped[int] = mapped_column(BigInteger)
    first_us: Mapped[int | None] = mapped_column(BigInteger)  # the first answer published
    # its returned drafts (п.14) as JSON: [[org code, 1 if that one kept it, [reasons]], …]
    returns: Mapped[str | None] = mapped_column(Text)
