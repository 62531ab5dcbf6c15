"""Settings of the bot's own publication of approved answers (п.16): VK's API and the
worker's pace. Telegram needs nothing more: the bot answers in the discussion groups of
TELEGRAM_DISCUSSION_CHATS, where it is a member."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, field_validator

from bot.settings.timers import SECTION_CONFIG

VK_API_BASE = "https://api.vk.com/method"
VK_API_VERSION = "5.199"


class PublicationSection(BaseModel):
    model_config = SECTION_CONFIG

    vk_api_base: str = Field(
        VK_API_BASE, alias="VK_API_BASE", description="VK API base URL (a fake one in tests)"
    )
    vk_api_version: str = Field(VK_API_VERSION, alias="VK_API_VERSION")
    vk_group_token: SecretStr | None = Field(
        None,
        alias="VK_GROUP_TOKEN",
        description="community access key with the wall right; unset: VK answers by hand",
    )
    vk_user_token: SecretStr | None = Field(
        None,
        alias="VK_USER_TOKEN",
        description="a community admin's user token (wall, photos, groups): topics and photos",
    )
    poll_seconds: float = Field(2.0, gt=0, le=60, alias="PUBLICATION_POLL_SECONDS")

    @field_validator("vk_api_base")
    @classmethod
    def _api_base(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("vk_api_version")
    @classmethod
    def _version(cls, value: str) -> str:
        major, _, minor = value.partition(".")
        if not (major.isdigit() and minor.isdigit()):
            raise ValueError("must look like 5.199")
        return value

    @field_validator("vk_group_token", "vk_user_token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value().strip()
        if len(token) < 20 or any(c.isspace() for c in token):
            raise ValueError("must be the whole access key VK showed (no spaces)")
        return SecretStr(token)
