"""Settings sections for the connections and the shell: Telegram, the database, the directory
file, the calendar, logging and language, the outbox sender and the HTTP intake.

Each field reads the environment variable named by its alias, exactly as the flat settings
did; code reads the field by its own name (`settings.calendar.timezone`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, Field, SecretStr, field_validator, model_validator

from bot.i18n import DEFAULT_LOCALE, LOCALES
from bot.intake import IntakeConfig
from bot.outbox.limits import SenderLimits
from bot.outbox.options import DEFAULT_FLOOD_THRESHOLD
from bot.settings.timers import SECTION_CONFIG
from bot.settings.values import ACCEPTS, parse_address_list, parse_chat_list, parse_date_list
from workflow.calendar import CalendarOverrides, WeeklySchedule

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/bot.sqlite3"
TELEGRAM_API_BASE = "https://api.telegram.org"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

Dates = Annotated[frozenset[date], BeforeValidator(parse_date_list)]
ChatIds = Annotated[frozenset[int], BeforeValidator(parse_chat_list)]
Addresses = Annotated[frozenset[str], BeforeValidator(parse_address_list)]


class TelegramSection(BaseModel):
    model_config = SECTION_CONFIG

    bot_token: SecretStr | None = Field(
        None, alias="BOT_TOKEN", description="token from @BotFather (needed to run the bot)"
    )
    api_base: str = Field(
        TELEGRAM_API_BASE,
        alias="BOT_API_BASE",
        description="Bot API server base URL (a self-hosted server, or a fake one in tests)",
    )
    discussion_chats: ChatIds = Field(
        frozenset(),
        alias="TELEGRAM_DISCUSSION_CHATS",
        description="comma-separated chat ids whose comments become incidents",
    )

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

    @field_validator("api_base")
    @classmethod
    def _api_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")


class DatabaseSection(BaseModel):
    model_config = SECTION_CONFIG

    url: str = Field(
        DEFAULT_DATABASE_URL,
        alias="DATABASE_URL",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://…",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value


class DirectorySection(BaseModel):
    model_config = SECTION_CONFIG

    file: Path | None = Field(
        None, alias="DIRECTORY_FILE", description="YAML directory imported at start (optional)"
    )


class GeneralSection(BaseModel):
    """The language of people who have not chosen one, and how much the bot logs."""

    model_config = SECTION_CONFIG

    default_locale: str = Field(DEFAULT_LOCALE, alias="DEFAULT_LOCALE")
    log_level: str = Field("INFO", alias="LOG_LEVEL", description=", ".join(LOG_LEVELS))
    card_chat_notices: bool = Field(
        False,
        alias="CARD_CHAT_NOTICES",
        description="also send a chat that holds the card the notices its card already shows",
    )

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"must be {' or '.join(LOCALES)}")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in LOG_LEVELS:
            raise ValueError(f"must be {', '.join(LOG_LEVELS[:-1])} or {LOG_LEVELS[-1]}")
        return value


class CalendarSection(BaseModel):
    """The centre's working time; an organisation's own hours and zone come from the directory."""

    model_config = SECTION_CONFIG

    timezone: str = Field("Europe/Moscow", alias="CENTRE_TIMEZONE")
    office_hours: str = Field("mon-fri 09:00-18:00 break 13:00-14:00", alias="OFFICE_HOURS")
    mode: str = Field(
        "russian", alias="CALENDAR_MODE", description="russian (production calendar) or always"
    )
    extra_days_off: Dates = Field(frozenset(), alias="CALENDAR_EXTRA_DAYS_OFF")
    extra_working_days: Dates = Field(frozenset(), alias="CALENDAR_EXTRA_WORKING_DAYS")
    extra_shortened_days: Dates = Field(frozenset(), alias="CALENDAR_EXTRA_SHORTENED_DAYS")

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"must be {ACCEPTS['timezone']}") from error
        return value

    @field_validator("office_hours")
    @classmethod
    def _office_hours(cls, value: str) -> str:
        WeeklySchedule.parse(value)  # raises ValueError with what is wrong
        return value

    @field_validator("mode")
    @classmethod
    def _mode(cls, value: str) -> str:
        if value not in ("russian", "always"):
            raise ValueError("must be russian or always")
        return value

    @model_validator(mode="after")
    def _overrides_agree(self) -> CalendarSection:
        try:
            self.overrides()
        except ValueError as error:
            raise ValueError(
                f"CALENDAR_EXTRA_DAYS_OFF and CALENDAR_EXTRA_WORKING_DAYS or"
                f" CALENDAR_EXTRA_SHORTENED_DAYS disagree: {error}"
            ) from error
        return self

    @property
    def always(self) -> bool:
        return self.mode == "always"

    def overrides(self) -> CalendarOverrides:
        return CalendarOverrides(
            days_off=self.extra_days_off,
            working_days=self.extra_working_days,
            shortened_days=self.extra_shortened_days,
        )


class SenderSection(BaseModel):
    """The outbox sender's rates (Telegram's limits) and how it treats a flood into one chat."""

    model_config = SECTION_CONFIG

    global_per_second: float = Field(30, gt=0, le=1000, alias="SENDER_GLOBAL_PER_SECOND")
    group_per_minute: float = Field(20, gt=0, le=1000, alias="SENDER_GROUP_PER_MINUTE")
    chat_per_second: float = Field(1, gt=0, le=100, alias="SENDER_CHAT_PER_SECOND")
    poll_seconds: float = Field(2.0, gt=0, le=60, alias="OUTBOX_POLL_SECONDS")
    flood_threshold: int = Field(
        DEFAULT_FLOOD_THRESHOLD,
        ge=1,
        le=100_000,
        alias="OUTBOX_FLOOD_THRESHOLD",
        description="more new-card rows than this waiting for one chat are sent as one summary",
    )

    def limits(self) -> SenderLimits:
        return SenderLimits.from_rates(
            global_per_second=self.global_per_second,
            group_per_minute=self.group_per_minute,
            chat_per_second=self.chat_per_second,
        )


class IntakeSection(BaseModel):
    """The HTTP intake (API for monitoring software, VK Callback API) and its triage."""

    model_config = SECTION_CONFIG

    host: str = Field("127.0.0.1", alias="INTAKE_HOST")
    port: int = Field(8081, ge=1, le=65535, alias="INTAKE_PORT")
    api_token: SecretStr | None = Field(None, alias="INTAKE_API_TOKEN", description="off unset")
    vk_group_id: int | None = Field(None, gt=0, alias="VK_GROUP_ID")
    vk_confirmation: str | None = Field(None, alias="VK_CONFIRMATION")
    vk_secret: SecretStr | None = Field(None, alias="VK_SECRET")
    max_body_bytes: int = Field(
        256 * 1024, ge=1024, le=64 * 1024 * 1024, alias="INTAKE_MAX_BODY_BYTES"
    )
    rate_per_minute: int = Field(600, ge=1, alias="INTAKE_RATE_PER_MINUTE")
    rate_burst: int = Field(60, ge=1, alias="INTAKE_RATE_BURST")
    trusted_proxies: Addresses = Field(frozenset(), alias="INTAKE_TRUSTED_PROXIES")
    topics_file: Path | None = Field(None, alias="INTAKE_TOPICS_FILE")
    duplicate_ratio: float = Field(0.9, gt=0, le=1, alias="INTAKE_DUPLICATE_RATIO")

    @model_validator(mode="after")
    def _consistent(self) -> IntakeSection:
        self.config()  # raises ValueError saying which intake settings disagree
        if self.topics_file is not None and not self.topics_file.is_file():
            raise ValueError(f"INTAKE_TOPICS_FILE: no such file {self.topics_file}")
        return self

    def config(self) -> IntakeConfig:
        return IntakeConfig(
            host=self.host,
            port=self.port,
            api_token=self.api_token.get_secret_value() if self.api_token else None,
            vk_group_id=self.vk_group_id,
            vk_confirmation=self.vk_confirmation,
            vk_secret=self.vk_secret.get_secret_value() if self.vk_secret else None,
            max_body_bytes=self.max_body_bytes,
            rate_per_minute=self.rate_per_minute,
            rate_burst=self.rate_burst,
            trusted_proxies=self.trusted_proxies,
        )
