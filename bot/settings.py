"""Settings from the environment and `.env` (pydantic-settings).

One `Settings` object is built at start and passed down; nothing imports it as a global.
"""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.intake import IntakeConfig
from bot.outbox.limits import SenderLimits
from workflow.alerts import AlertPolicy
from workflow.calendar import WeeklySchedule
from workflow.policy import Policy, Publisher

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/bot.sqlite3"
TELEGRAM_API_BASE = "https://api.telegram.org"


def _parse_duration(value: Any) -> Any:
    """Accept seconds (`1800`) besides ISO 8601 (`PT30M`), which pydantic parses itself."""
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value.strip())
    return value


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be a positive duration")
    return value


Duration = Annotated[timedelta, BeforeValidator(_parse_duration)]

# What each kind of value accepts, for the error message (settings_error_message).
_ACCEPTS = {
    "duration": "an ISO 8601 duration such as PT30M or PT2H, or a number of seconds",
    "timezone": "an IANA time zone name such as Europe/Moscow",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        validate_default=True,
        env_ignore_empty=True,  # `BOT_TOKEN=` in .env means "not set"
    )

    bot_token: SecretStr | None = Field(
        default=None, description="Telegram bot token from @BotFather (needed to run the bot)"
    )
    bot_api_base: str = Field(
        default=TELEGRAM_API_BASE,
        description="Bot API server base URL (a self-hosted server, or a fake one in tests)",
    )
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://…",
    )
    directory_file: Path | None = Field(
        default=None, description="YAML directory imported at start (optional)"
    )
    centre_timezone: str = Field(default="Europe/Moscow", description="the centre's time zone")
    office_hours: str = Field(
        default="mon-fri 09:00-18:00 break 13:00-14:00",
        description="the centre's office hours",
    )
    calendar_mode: str = Field(
        default="russian", description="russian (production calendar) or always (24/7)"
    )
    calendar_extra_days_off: str = Field(
        default="", description="comma-separated dates (YYYY-MM-DD) that are days off"
    )
    calendar_extra_working_days: str = Field(
        default="", description="comma-separated dates that are working days"
    )
    calendar_extra_shortened_days: str = Field(
        default="", description="comma-separated dates that are shortened by one hour"
    )
    default_locale: str = Field(default="ru", description="ru or en")
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR")

    timer_answer: Duration = Field(default=timedelta(hours=3), description="п.9")
    timer_answer_high_importance: Duration = Field(default=timedelta(hours=2), description="п.17")
    timer_route: Duration = Field(default=timedelta(hours=1), description="п.10")
    timer_not_ours: Duration = Field(default=timedelta(minutes=30), description="п.11")
    timer_reroute: Duration = Field(default=timedelta(minutes=30), description="п.11")
    timer_clarification: Duration = Field(default=timedelta(minutes=30), description="п.13")
    timer_draft_margin: Duration = Field(default=timedelta(minutes=30), description="п.12")
    timer_review: Duration = Field(default=timedelta(minutes=30), description="п.14")
    timer_resubmit: Duration = Field(default=timedelta(minutes=30), description="п.15")
    timer_publish: Duration = Field(default=timedelta(minutes=30), description="п.16")
    timer_final_answer_days: int = Field(default=5, ge=1, le=60, description="п.18")
    timer_multi_route: Duration = Field(default=timedelta(minutes=30), description="п.19")
    timer_multi_info: Duration = Field(default=timedelta(hours=2), description="п.19")
    publisher: Publisher = Field(default=Publisher.EXECUTOR, description="п.16")

    sender_global_per_second: float = Field(default=30, gt=0, le=1000)
    sender_group_per_minute: float = Field(default=20, gt=0, le=1000)
    sender_chat_per_second: float = Field(default=1, gt=0, le=100)
    alert_reminder_share: str = Field(
        default="0.5", description="remind when this share of a deadline is gone; off"
    )
    alert_final_reminder_before: str = Field(
        default="PT10M", description="remind this long before a deadline; off"
    )
    alert_escalate_after: str = Field(
        default="PT30M", description="alert managers this long past a deadline; off"
    )
    alert_quiet_hours: bool = Field(default=True, description="hold alerts outside office hours")
    digest_time: str = Field(default="09:00", description="morning digest, reader's time; off")
    digest_weekly_weekday: str = Field(default="mon", description="weekly digest day; off")
    digest_catch_up: Duration = Field(default=timedelta(hours=4))
    deadline_tick_interval: Duration = Field(default=timedelta(seconds=30))
    intake_host: str = Field(default="127.0.0.1", description="HTTP intake address")
    intake_port: int = Field(default=8081, ge=1, le=65535)
    intake_api_token: SecretStr | None = Field(default=None, description="off when unset")
    vk_group_id: int | None = Field(default=None, gt=0)
    vk_confirmation: str | None = None
    vk_secret: SecretStr | None = None
    intake_max_body_bytes: int = Field(default=256 * 1024, ge=1024, le=64 * 1024 * 1024)
    intake_rate_per_minute: int = Field(default=600, ge=1)
    intake_rate_burst: int = Field(default=60, ge=1)
    intake_trusted_proxies: str = Field(default="")
    intake_topics_file: Path | None = None
    intake_duplicate_ratio: float = Field(default=0.9, gt=0, le=1)
    telegram_discussion_chats: str = Field(
        default="", description="comma-separated chat ids whose comments become incidents"
    )
    outbox_poll_seconds: float = Field(default=2.0, gt=0, le=60)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value().strip()
        bot_id, _, secret = token.partition(":")
        if not (bot_id.isdigit() and len(secret) >= 20):
            raise ValueError("must look like 123456789:AA… (get it from @BotFather)")
        return SecretStr(token)

    @field_validator("bot_api_base")
    @classmethod
    def _api_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("centre_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"must be {_ACCEPTS['timezone']}") from error
        return value

    @field_validator("office_hours")
    @classmethod
    def _office_hours(cls, value: str) -> str:
        WeeklySchedule.parse(value)  # raises ValueError with what is wrong
        return value

    @field_validator("calendar_mode")
    @classmethod
    def _calendar_mode(cls, value: str) -> str:
        if value not in ("russian", "always"):
            raise ValueError("must be russian or always")
        return value

    @field_validator(
        "calendar_extra_days_off", "calendar_extra_working_days", "calendar_extra_shortened_days"
    )
    @classmethod
    def _date_list(cls, value: str) -> str:
        parse_date_list(value)
        return value

    @field_validator("telegram_discussion_chats")
    @classmethod
    def _chat_list(cls, value: str) -> str:
        for part in value.replace(";", ",").split(","):
            if part.strip() and not part.strip().lstrip("-").isdigit():
                raise ValueError(
                    f"{part.strip()!r} is not a chat id (a number like -1001234567890)"
                )
        return value

    def discussion_chats(self) -> frozenset[int]:
        return frozenset(
            int(part)
            for part in self.telegram_discussion_chats.replace(";", ",").split(",")
            if part.strip()
        )

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in ("ru", "en"):
            raise ValueError("must be ru or en")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    @field_validator(
        "timer_answer",
        "timer_answer_high_importance",
        "timer_route",
        "timer_not_ours",
        "timer_reroute",
        "timer_clarification",
        "timer_draft_margin",
        "timer_review",
        "timer_resubmit",
        "timer_publish",
        "timer_multi_route",
        "timer_multi_info",
    )
    @classmethod
    def _timer(cls, value: timedelta) -> timedelta:
        return _positive(value)

    @field_validator("alert_reminder_share")
    @classmethod
    def _share(cls, value: str) -> str:
        if value.strip().lower() != "off":
            try:
                share = float(value)
            except ValueError as error:
                raise ValueError("must be a number between 0 and 1, or off") from error
            if not 0 < share < 1:
                raise ValueError("must be a number between 0 and 1, or off")
        return value

    @field_validator("alert_final_reminder_before", "alert_escalate_after")
    @classmethod
    def _optional_duration(cls, value: str) -> str:
        _optional_timedelta(value)
        return value

    @field_validator("digest_time")
    @classmethod
    def _digest_time(cls, value: str) -> str:
        if value.strip().lower() != "off":
            try:
                time.fromisoformat(value.strip())
            except ValueError as error:
                raise ValueError("must be a time HH:MM, or off") from error
        return value

    @field_validator("digest_weekly_weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value.strip().lower() not in (*WEEKDAYS, "off"):
            raise ValueError("must be mon, tue, wed, thu, fri, sat, sun or off")
        return value

    @field_validator("digest_catch_up", "deadline_tick_interval")
    @classmethod
    def _positive_duration(cls, value: timedelta) -> timedelta:
        return _positive(value)

    @model_validator(mode="after")
    def _intake_consistent(self) -> Settings:
        self.intake_config()  # raises ValueError saying which intake settings disagree
        if self.intake_topics_file is not None and not self.intake_topics_file.is_file():
            raise ValueError(f"INTAKE_TOPICS_FILE: no such file {self.intake_topics_file}")
        return self

    def intake_config(self) -> IntakeConfig:
        return IntakeConfig(
            host=self.intake_host,
            port=self.intake_port,
            api_token=self.intake_api_token.get_secret_value() if self.intake_api_token else None,
            vk_group_id=self.vk_group_id,
            vk_confirmation=self.vk_confirmation,
            vk_secret=self.vk_secret.get_secret_value() if self.vk_secret else None,
            max_body_bytes=self.intake_max_body_bytes,
            rate_per_minute=self.intake_rate_per_minute,
            rate_burst=self.intake_rate_burst,
            trusted_proxies=frozenset(
                part.strip() for part in self.intake_trusted_proxies.split(",") if part.strip()
            ),
        )

    def alert_policy(self) -> AlertPolicy:
        share = self.alert_reminder_share.strip().lower()
        digest = self.digest_time.strip().lower()
        weekday = self.digest_weekly_weekday.strip().lower()
        return AlertPolicy(
            reminder_share=None if share == "off" else float(share),
            final_reminder_before=_optional_timedelta(self.alert_final_reminder_before),
            escalate_after=_optional_timedelta(self.alert_escalate_after),
            quiet_hours=self.alert_quiet_hours,
            digest_time=None if digest == "off" else time.fromisoformat(digest),
            weekly_digest_weekday=None if weekday == "off" else WEEKDAYS.index(weekday),
            digest_catch_up=self.digest_catch_up,
        )

    def sender_limits(self) -> SenderLimits:
        return SenderLimits.from_rates(
            global_per_second=self.sender_global_per_second,
            group_per_minute=self.sender_group_per_minute,
            chat_per_second=self.sender_chat_per_second,
        )

    def policy(self) -> Policy:
        return Policy(
            answer=self.timer_answer,
            answer_high_importance=self.timer_answer_high_importance,
            route=self.timer_route,
            not_ours=self.timer_not_ours,
            reroute=self.timer_reroute,
            clarification=self.timer_clarification,
            draft_margin=self.timer_draft_margin,
            review=self.timer_review,
            resubmit=self.timer_resubmit,
            publish=self.timer_publish,
            final_answer_days=self.timer_final_answer_days,
            multi_route=self.timer_multi_route,
            multi_info=self.timer_multi_info,
            publisher=self.publisher,
        )


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _optional_timedelta(value: str) -> timedelta | None:
    """`off`, seconds, or an ISO 8601 duration (the same forms as the timers)."""
    text = value.strip()
    if text.lower() == "off":
        return None
    try:
        parsed = TypeAdapter(Duration).validate_python(text)
    except ValidationError as error:
        raise ValueError(f"must be {_ACCEPTS['duration']}, or off") from error
    return _positive(parsed)


def parse_date_list(value: str) -> frozenset:
    from datetime import date

    dates = set()
    for part in value.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            dates.add(date.fromisoformat(part))
        except ValueError as error:
            raise ValueError(f"{part!r} is not a date YYYY-MM-DD") from error
    return frozenset(dates)


class SettingsError(Exception):
    """Raised with a message fit for the operator: which variable, what it accepts."""


def settings_error_message(error: ValidationError) -> str:
    lines = ["The configuration is not valid (environment variables or .env):"]
    for problem in error.errors():
        if not problem["loc"]:  # a check across several settings names them itself
            lines.append("  " + str(problem["msg"]).removeprefix("Value error, "))
            continue
        name = str(problem["loc"][0]).upper()
        if problem["type"] == "missing":
            lines.append(f"  {name} is required")
            continue
        message = str(problem["msg"]).removeprefix("Value error, ")
        if problem["type"].startswith(("time_delta", "timedelta")):
            message = f"must be {_ACCEPTS['duration']}"
        lines.append(f"  {name}: {message}")
    return "\n".join(lines)


BOT_TOKEN_MISSING = (
    "BOT_TOKEN is not set. Create a bot with @BotFather in Telegram (/newbot), "
    "then put BOT_TOKEN=<the token> into .env (see .env.example)"
)


def require_token(settings: Settings) -> SecretStr:
    if settings.bot_token is None:
        raise SettingsError(BOT_TOKEN_MISSING)
    return settings.bot_token


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning every validation problem into one readable SettingsError."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(settings_error_message(error)) from None
