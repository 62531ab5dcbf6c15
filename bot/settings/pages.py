"""Settings of the official pages (`PAGES_*`): the weekly quotas, the reminder's day and
time, the lengths of the page duties (docs/pages.md)."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

from bot.settings.timers import SECTION_CONFIG
from bot.settings.values import optional_time, optional_weekday
from workflow.pages import DEFAULT_QUOTAS, DutyLengths, PageKind, PagePolicy


def _quotas(value: Any) -> dict[PageKind, int]:
    """`head=5, administration=10, organisation=3`: the kinds given override the defaults."""
    if isinstance(value, dict):
        return {PageKind(k): int(v) for k, v in value.items()}
    found: dict[PageKind, int] = {}
    kinds = ", ".join(kind.value for kind in PageKind)
    for part in str(value).replace(";", ",").split(","):
        if not part.strip():
            continue
        name, _, number = part.partition("=")
        try:
            kind = PageKind(name.strip().lower())
            count = int(number.strip())
        except ValueError:
            raise ValueError(f"{part.strip()!r}: expected KIND=NUMBER; kinds: {kinds}") from None
        if not 0 <= count <= 1000:
            raise ValueError(f"{part.strip()!r}: the number of posts must be 0-1000")
        found[kind] = count
    return found


class PagesSection(BaseModel):
    model_config = SECTION_CONFIG

    quotas: Annotated[dict[PageKind, int], BeforeValidator(_quotas)] = Field(
        default_factory=dict,
        alias="PAGES_QUOTAS",
        description="posts a week by kind, e.g. head=5,administration=10,organisation=3",
    )
    reminder_weekday: Annotated[int | None, BeforeValidator(optional_weekday)] = Field(
        3, alias="PAGES_REMINDER_WEEKDAY", description="quota reminder day (mon…sun); off"
    )
    reminder_time: Annotated[time | None, BeforeValidator(optional_time)] = Field(
        None, alias="PAGES_REMINDER_TIME", description="local time; unset: DIGEST_TIME"
    )
    report_sector_days: int = Field(2, ge=1, le=60, alias="PAGES_REPORT_SECTOR_DAYS")
    report_region_days: int = Field(3, ge=1, le=60, alias="PAGES_REPORT_REGION_DAYS")
    remove_admin_days: int = Field(1, ge=1, le=60, alias="PAGES_REMOVE_ADMIN_DAYS")

    def policy(self) -> PagePolicy:
        return PagePolicy(
            quotas=tuple({**DEFAULT_QUOTAS, **self.quotas}.items()),
            reminder_weekday=self.reminder_weekday,
            reminder_time=self.reminder_time,
            lengths=DutyLengths(
                self.report_sector_days, self.report_region_days, self.remove_admin_days
            ),
        )
