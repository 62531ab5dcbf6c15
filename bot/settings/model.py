"""The `Settings` object: one section per concern, read from the environment and `.env`.

The variable names are the flat ones operators already have in their `.env` files
(`TIMER_REVIEW`, `SENDER_CHAT_PER_SECOND`, …). Each section's field names its variable in
its alias; `FlatEnvSource` reads those variables and `_nest` files every value, given by its
variable name, under its section. Keyword arguments may be flat too
(`Settings(database_url=...)`), or whole sections (`Settings(database={"url": ...})`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.housekeeping import RetentionPolicy
from bot.intake import IntakeConfig
from bot.outbox.limits import SenderLimits
from bot.services.calendars import CalendarConfig
from bot.settings.pages import PagesSection
from bot.settings.publication import PublicationSection
from bot.settings.regulation import RegulationSection
from bot.settings.reports import ReportsSection
from bot.settings.retention import RetentionSection
from bot.settings.sections import (
    CalendarSection,
    DatabaseSection,
    DirectorySection,
    GeneralSection,
    IntakeSection,
    SenderSection,
    TelegramSection,
)
from bot.settings.server import ServerSection
from bot.settings.timers import AlertsSection, TimersSection
from workflow.alerts import AlertPolicy
from workflow.policy import Policy
from workflow.rating import RatingWeights


class Settings(BaseSettings):
    """One object built at start and passed down; nothing imports it as a global."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        validate_default=True,
        env_ignore_empty=True,  # `BOT_TOKEN=` in .env means "not set"
    )

    telegram: TelegramSection = Field(default_factory=TelegramSection)
    database: DatabaseSection = Field(default_factory=DatabaseSection)
    directory: DirectorySection = Field(default_factory=DirectorySection)
    general: GeneralSection = Field(default_factory=GeneralSection)
    calendar: CalendarSection = Field(default_factory=CalendarSection)
    timers: TimersSection = Field(default_factory=TimersSection)
    alerts: AlertsSection = Field(default_factory=AlertsSection)
    regulation: RegulationSection = Field(default_factory=RegulationSection)
    sender: SenderSection = Field(default_factory=SenderSection)
    intake: IntakeSection = Field(default_factory=IntakeSection)
    retention: RetentionSection = Field(default_factory=RetentionSection)
    pages: PagesSection = Field(default_factory=PagesSection)
    publication: PublicationSection = Field(default_factory=PublicationSection)
    reports: ReportsSection = Field(default_factory=ReportsSection)
    server: ServerSection = Field(default_factory=ServerSection)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Keyword arguments first, then the environment, then `.env` (as pydantic-settings).
        return (
            init_settings,
            FlatEnvSource(settings_cls, env_settings),
            FlatEnvSource(settings_cls, dotenv_settings),
        )

    @model_validator(mode="before")
    @classmethod
    def _nest(cls, data: Any) -> Any:
        return nest(data) if isinstance(data, Mapping) else data

    @classmethod
    def env_names(cls) -> tuple[str, ...]:
        """Every environment variable the settings read, e.g. `TIMER_REVIEW`."""
        return tuple(ENV_FIELDS)

    # Built objects for the parts of the program; each section builds its own.

    def policy(self) -> Policy:
        return self.regulation.apply(self.timers.policy())

    def calendar_config(self) -> CalendarConfig:
        calendar = self.calendar
        return CalendarConfig(
            timezone=calendar.timezone,
            office_hours=calendar.office_hours,
            always=calendar.always,
            overrides=calendar.overrides(),
        )

    def alert_policy(self) -> AlertPolicy:
        return self.alerts.policy()

    def sender_limits(self) -> SenderLimits:
        return self.sender.limits()

    def intake_config(self) -> IntakeConfig:
        return self.intake.config()

    def discussion_chats(self) -> frozenset[int]:
        return self.telegram.discussion_chats

    def retention_policy(self) -> RetentionPolicy:
        return self.retention.policy()

    def rating_weights(self) -> RatingWeights:
        return self.reports.weights()


def _env_fields() -> dict[str, tuple[str, str]]:
    """ENV_NAME -> (section, field) for every field of every section."""
    table: dict[str, tuple[str, str]] = {}
    for section, info in Settings.model_fields.items():
        model = info.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        fields: dict[str, FieldInfo] = model.model_fields
        for name, field in fields.items():
            assert field.alias is not None, f"{section}.{name} names no variable"
            table[field.alias.upper()] = (section, name)
    return table


ENV_FIELDS = _env_fields()


def nest(data: Mapping[str, Any]) -> dict[str, Any]:
    """File flat values (keyed by variable name, any case) under their sections.

    A key that is a section's name (a dict by field or variable names, or a built section)
    can only come from keyword arguments, so it wins over flat values from the environment.
    Unknown keys are dropped, as before.
    """
    nested: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        if key.upper() in ENV_FIELDS:
            section_name, _ = ENV_FIELDS[key.upper()]
            nested.setdefault(section_name, {})[key.upper()] = value
    for key, value in data.items():
        if key in Settings.model_fields:
            given = value.model_dump(by_alias=True) if isinstance(value, BaseModel) else value
            nested.setdefault(key, {}).update(
                (_alias(key, name), item) for name, item in dict(given).items()
            )
    return nested


def _alias(section: str, name: str) -> str:
    """The variable name of a section's field given by its field name (or already so)."""
    model = Settings.model_fields[section].annotation
    assert isinstance(model, type) and issubclass(model, BaseModel)
    field = model.model_fields.get(name)
    return field.alias if field is not None and field.alias else name.upper()


class FlatEnvSource(PydanticBaseSettingsSource):
    """The flat variables found by one of pydantic-settings' sources (process or `.env`)."""

    def __init__(self, settings_cls: type[BaseSettings], found: PydanticBaseSettingsSource) -> None:
        super().__init__(settings_cls)
        # Both sources read every variable on construction (keys lower-cased, empty ones
        # dropped): only the reading is reused, not their field matching.
        assert isinstance(found, EnvSettingsSource)
        self._variables = found.env_vars

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ answers for all fields at once

    def __call__(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self._variables.items()
            if name.upper() in ENV_FIELDS and value is not None
        }
