"""Tables of the bot's shell: the guided steps' state (aiogram's FSM), kept in the database
so that a step half done (a draft's text and photos) survives a restart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class FsmStateRow(Base):
    """One person's guided step in one chat (aiogram's StorageKey): its state and data.

    Absent parts of the key are stored as 0 / "" rather than NULL, so the primary key can
    hold them on both databases. A cleared step has no row.
    """

    __tablename__ = "fsm_states"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    thread_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    business_connection_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    destiny: Mapped[str] = mapped_column(String(100), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]
