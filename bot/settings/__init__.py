"""Settings from the environment and `.env` (pydantic-settings), in sections.

`load_settings()` builds one `Settings` object at start; it is passed down, never imported
as a global. Sections: `telegram`, `database`, `directory`, `general` (language, logging),
`calendar`, `timers`, `alerts`, `sender`, `intake`, `server` (webhook, several processes,
endpoints, log format) — e.g. `settings.calendar.timezone`.
Every variable keeps its flat name (`CENTRE_TIMEZONE`); `Settings.env_names()` lists them.
A wrong value is one `SettingsError` naming the variable and what it accepts.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr, ValidationError

from bot.settings.model import ENV_FIELDS, Settings
from bot.settings.sections import DEFAULT_DATABASE_URL, TELEGRAM_API_BASE
from bot.settings.values import ACCEPTS, WEEKDAYS, parse_date_list

__all__ = [
    "BOT_TOKEN_MISSING",
    "DEFAULT_DATABASE_URL",
    "TELEGRAM_API_BASE",
    "WEEKDAYS",
    "Settings",
    "SettingsError",
    "load_settings",
    "parse_date_list",
    "require_token",
    "settings_error_message",
]


class SettingsError(Exception):
    """Raised with a message fit for the operator: which variable, what it accepts."""


def _variable(location: tuple[int | str, ...]) -> str | None:
    """The environment variable a problem is about: the first part of its location that
    names one (a section's own check across several variables names them itself)."""
    for part in location:
        if isinstance(part, str) and part.upper() in ENV_FIELDS:
            return part.upper()
    return None


def settings_error_message(error: ValidationError) -> str:
    lines = ["The configuration is not valid (environment variables or .env):"]
    for problem in error.errors():
        message = str(problem["msg"]).removeprefix("Value error, ")
        name = _variable(problem["loc"])
        if name is None:
            lines.append(f"  {message}")
        elif problem["type"] == "missing":
            lines.append(f"  {name} is required")
        elif problem["type"].startswith(("time_delta", "timedelta")):
            lines.append(f"  {name}: must be {ACCEPTS['duration']}")
        else:
            lines.append(f"  {name}: {message}")
    return "\n".join(lines)


BOT_TOKEN_MISSING = (
    "BOT_TOKEN is not set. Create a bot with @BotFather in Telegram (/newbot), "
    "then put BOT_TOKEN=<the token> into .env (see .env.example)"
)


def require_token(settings: Settings) -> SecretStr:
    if settings.telegram.bot_token is None:
        raise SettingsError(BOT_TOKEN_MISSING)
    return settings.telegram.bot_token


def load_settings(**overrides: Any) -> Settings:
    """Build the settings, turning every validation problem into one readable SettingsError.

    `overrides` take the variables' names in any case (`timer_review="PT20M"`) or sections.
    """
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(settings_error_message(error)) from None
