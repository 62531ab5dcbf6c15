"""Settings section for keeping the data: how long sent messages and intake records stay."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from bot.housekeeping import RetentionPolicy
from bot.settings.timers import SECTION_CONFIG, OptionalDuration


class RetentionSection(BaseModel):
    model_config = SECTION_CONFIG

    outbox: OptionalDuration = Field(
        timedelta(days=30),
        alias="RETENTION_OUTBOX",
        description="sent outbox rows are deleted this long after sending; off keeps them",
    )
    intake: OptionalDuration = Field(
        timedelta(days=180),
        alias="RETENTION_INTAKE",
        description="repeated posts of closed incidents are deleted this long after; off keeps",
    )

    def policy(self) -> RetentionPolicy:
        return RetentionPolicy(outbox=self.outbox, intake=self.intake)
