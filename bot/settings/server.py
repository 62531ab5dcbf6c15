"""Settings for running in production: the webhook, several processes, the HTTP endpoints
(health, readiness, metrics) and the log format.

Polling stays the default; `WEBHOOK_URL` switches to a webhook served by the intake's HTTP
server (INTAKE_HOST:INTAKE_PORT) at the URL's path. `REDIS_URL` (with PostgreSQL) lets
several processes serve one bot.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator

from bot.settings.timers import SECTION_CONFIG

LOG_FORMATS = ("text", "json")
# Telegram's own limits on the secret token: 1-256 characters of A-Z a-z 0-9 _ -.
_SECRET_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
# Paths the intake's server already serves: a webhook there would shadow them.
RESERVED_PATHS = ("/api/", "/vk/", "/healthz", "/readyz", "/metrics")


class ServerSection(BaseModel):
    model_config = SECTION_CONFIG

    webhook_url: str | None = Field(
        None,
        alias="WEBHOOK_URL",
        description="public https URL Telegram posts updates to; unset: long polling",
    )
    webhook_secret: SecretStr | None = Field(
        None,
        alias="WEBHOOK_SECRET",
        description="checked in every update's X-Telegram-Bot-Api-Secret-Token header",
    )
    redis_url: str | None = Field(
        None,
        alias="REDIS_URL",
        description="redis://… for the guided steps and event isolation of several processes",
    )
    http_endpoints: bool = Field(
        False,
        alias="HTTP_ENDPOINTS",
        description="serve /healthz, /readyz and /metrics even with no intake and no webhook",
    )
    election_seconds: float = Field(
        2.0,
        gt=0,
        le=60,
        alias="SENDER_ELECTION_SECONDS",
        description="how often a waiting process tries to become the outbox sender",
    )
    log_format: str = Field("text", alias="LOG_FORMAT", description="text or json (one a line)")

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an https:// URL that reaches this bot")
        if parts.query or parts.fragment:
            raise ValueError("must have no ?query or #fragment")
        path = parts.path or "/"
        if path == "/" or path.startswith(RESERVED_PATHS):
            raise ValueError(
                "needs a path of its own, e.g. https://bot.example.ru/telegram/webhook"
                f" (not / nor {', '.join(RESERVED_PATHS)})"
            )
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        secret = value.get_secret_value()
        if not 16 <= len(secret) <= 256 or not set(secret) <= _SECRET_ALPHABET:
            raise ValueError("must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        value = value.lower()
        if value not in LOG_FORMATS:
            raise ValueError("must be text or json")
        return value

    @property
    def webhook_path(self) -> str | None:
        """The path the intake's server answers the webhook at: the public URL's own."""
        return urlsplit(self.webhook_url).path if self.webhook_url else None

    def secret(self) -> str | None:
        return self.webhook_secret.get_secret_value() if self.webhook_secret else None
