"""Settings sections for the regulation's timers (`TIMER_*`, `PUBLISHER`) and for alerts and
digests (`ALERT_*`, `DIGEST_*`, `DEADLINE_TICK_INTERVAL`)."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from bot.settings.values import (
    Duration,
    optional_duration,
    optional_share,
    optional_time,
    optional_weekday,
    positive,
)
from workflow.alerts import AlertPolicy
from workflow.policy import Policy, Publisher

# Every section reads its fields by their environment variable's name (the alias) and, from
# code, by the field's own name.
SECTION_CONFIG = ConfigDict(frozen=True, validate_by_name=True, validate_by_alias=True)

PositiveDuration = Annotated[Duration, AfterValidator(positive)]
OptionalDuration = Annotated[timedelta | None, BeforeValidator(optional_duration)]


class TimersSection(BaseModel):
    """The regulation's deadlines (working time) and who publishes the answer."""

    model_config = SECTION_CONFIG

    answer: PositiveDuration = Field(timedelta(hours=3), alias="TIMER_ANSWER", description="п.9")
    answer_high_importance: PositiveDuration = Field(
        timedelta(hours=2), alias="TIMER_ANSWER_HIGH_IMPORTANCE", description="п.17"
    )
    route: PositiveDuration = Field(timedelta(hours=1), alias="TIMER_ROUTE", description="п.10")
    not_ours: PositiveDuration = Field(
        timedelta(minutes=30), alias="TIMER_NOT_OURS", description="п.11"
    )
    reroute: PositiveDuration = Field(
        timedelta(minutes=30), alias="TIMER_REROUTE", description="п.11"
    )
    clarification: PositiveDuration = Field(
        timedelta(minutes=30), alias="TIMER_CLARIFICATION", description="п.13"
    )
    draft_margin: PositiveDuration = Field(
        timedelta(minutes=30), alias="TIMER_DRAFT_MARGIN", description="п.12"
    )
    review: PositiveDuration = Field(
        timedelta(minutes=30), alias="TIMER_REVIEW", description="п.14"
    )
    resubmit: PositiveDuration = Field(
        timedelta(minutes=30), alias="TIMER_RESUBMIT", description="п.15"
    )
    publish: PositiveDuration = Field(
        timedelta(minutes=30), alias="TIMER_PUBLISH", description="п.16"
    )
    final_answer_days: int = Field(
        5, ge=1, le=60, alias="TIMER_FINAL_ANSWER_DAYS", description="п.18"
    )
    multi_route: PositiveDuration = Field(
        timedelta(minutes=30), alias="TIMER_MULTI_ROUTE", description="п.19"
    )
    multi_info: PositiveDuration = Field(
        timedelta(hours=2), alias="TIMER_MULTI_INFO", description="п.19"
    )
    publisher: Publisher = Field(Publisher.EXECUTOR, alias="PUBLISHER", description="п.16")
    consolidation: PositiveDuration = Field(
        timedelta(minutes=30), alias="TIMER_CONSOLIDATION", description="п.19, consolidator"
    )

    def policy(self) -> Policy:
        return Policy(
            answer=self.answer,
            answer_high_importance=self.answer_high_importance,
            route=self.route,
            not_ours=self.not_ours,
            reroute=self.reroute,
            clarification=self.clarification,
            draft_margin=self.draft_margin,
            review=self.review,
            resubmit=self.resubmit,
            publish=self.publish,
            final_answer_days=self.final_answer_days,
            multi_route=self.multi_route,
            multi_info=self.multi_info,
            publisher=self.publisher,
            consolidation=self.consolidation,
        )


class AlertsSection(BaseModel):
    """Reminders, escalations and digests; `off` switches each one off."""

    model_config = SECTION_CONFIG

    reminder_share: Annotated[float | None, BeforeValidator(optional_share)] = Field(
        0.5, alias="ALERT_REMINDER_SHARE", description="remind when this share is gone; off"
    )
    final_reminder_before: OptionalDuration = Field(
        timedelta(minutes=10),
        alias="ALERT_FINAL_REMINDER_BEFORE",
        description="remind this long before a deadline; off",
    )
    escalate_after: OptionalDuration = Field(
        timedelta(minutes=30),
        alias="ALERT_ESCALATE_AFTER",
        description="alert managers this long past a deadline; off",
    )
    quiet_hours: bool = Field(
        True, alias="ALERT_QUIET_HOURS", description="hold alerts outside office hours"
    )
    digest_time: Annotated[time | None, BeforeValidator(optional_time)] = Field(
        time(9), alias="DIGEST_TIME", description="morning digest, reader's time; off"
    )
    digest_weekly_weekday: Annotated[int | None, BeforeValidator(optional_weekday)] = Field(
        0, alias="DIGEST_WEEKLY_WEEKDAY", description="weekly digest day (mon…sun); off"
    )
    digest_catch_up: PositiveDuration = Field(timedelta(hours=4), alias="DIGEST_CATCH_UP")
    tick_interval: PositiveDuration = Field(timedelta(seconds=30), alias="DEADLINE_TICK_INTERVAL")

    def policy(self) -> AlertPolicy:
        return AlertPolicy(
            reminder_share=self.reminder_share,
            final_reminder_before=self.final_reminder_before,
            escalate_after=self.escalate_after,
            quiet_hours=self.quiet_hours,
            digest_time=self.digest_time,
            weekly_digest_weekday=self.digest_weekly_weekday,
            digest_catch_up=self.digest_catch_up,
        )
