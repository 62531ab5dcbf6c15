"""Intake: every post that may become an incident goes through one pipeline
(bot/intake/service.py): the HTTP API for monitoring software and VK's Callback API (off
unless configured) and the Telegram sources in handlers/intake.py.

This module holds only the configuration, so that importing the pure parts
(`bot.intake.triage`) does not pull in aiohttp.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MIN_TOKEN_LENGTH = 16


@dataclass(frozen=True, slots=True)
class IntakeConfig:
    """Built by the application from Settings (tokens unwrapped from SecretStr there)."""

    host: str = "127.0.0.1"  # loopback unless an operator decides otherwise (behind a proxy)
    port: int = 8081
    api_token: str | None = None  # the HTTP API is served only when a token is set
    vk_group_id: int | None = None  # the VK callback is served only with a group and a code
    vk_confirmation: str | None = None
    vk_secret: str | None = None
    max_body_bytes: int = 256 * 1024
    rate_per_minute: int = 600  # per client address, refilled continuously
    rate_burst: int = 60
    # X-Forwarded-For is believed only when the peer is one of these (a reverse proxy).
    trusted_proxies: frozenset[str] = field(default_factory=frozenset)
    max_clock_skew_seconds: int = 300  # how far in the future a published/detected time may be

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError("INTAKE_PORT must be 1..65535")
        if self.api_token is not None and len(self.api_token) < MIN_TOKEN_LENGTH:
            raise ValueError(f"INTAKE_API_TOKEN needs at least {MIN_TOKEN_LENGTH} characters")
        if (self.vk_group_id is None) != (self.vk_confirmation is None):
            raise ValueError("VK_GROUP_ID and VK_CONFIRMATION must be set together")
        if self.vk_group_id is not None and self.vk_group_id <= 0:
            raise ValueError("the VK group id is a positive number")
        if self.max_body_bytes < 1024:
            raise ValueError("max_body_bytes must be at least 1024")
        if self.rate_per_minute < 1 or self.rate_burst < 1:
            raise ValueError("rate_per_minute and rate_burst must be positive")

    @property
    def api_enabled(self) -> bool:
        return self.api_token is not None

    @property
    def vk_enabled(self) -> bool:
        return self.vk_group_id is not None and self.vk_confirmation is not None

    @property
    def enabled(self) -> bool:
        return self.api_enabled or self.vk_enabled
