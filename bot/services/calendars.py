"""Working-time calendars from the settings and the directory's organisations."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from db import directory_queries as directory
from workflow.calendar import CalendarOverrides, WeeklySchedule, WorkingCalendar
from workflow.calendars import Calendars


@dataclass(frozen=True, slots=True)
class CalendarConfig:
    timezone: str
    office_hours: str
    always: bool
    overrides: CalendarOverrides

    @classmethod
    def from_settings(cls, settings: Settings) -> CalendarConfig:
        calendar = settings.calendar
        return cls(
            timezone=calendar.timezone,
            office_hours=calendar.office_hours,
            always=calendar.always,
            overrides=calendar.overrides(),
        )


@lru_cache(maxsize=256)
def calendar_for(
    timezone: str, office_hours: str, always: bool, overrides: CalendarOverrides
) -> WorkingCalendar:
    """One calendar per distinct office; each keeps its own per-date cache warm."""
    if always:
        return WorkingCalendar.always(timezone)
    return WorkingCalendar.russian(
        timezone, schedule=WeeklySchedule.parse(office_hours), overrides=overrides
    )


def centre_calendar(config: CalendarConfig) -> WorkingCalendar:
    return calendar_for(config.timezone, config.office_hours, config.always, config.overrides)


async def load_calendars(session: AsyncSession, config: CalendarConfig) -> Calendars:
    organisations = await directory.organisations(session)
    per_org = {
        org.code: calendar_for(
            org.timezone or config.timezone,
            org.office_hours or config.office_hours,
            config.always,
            config.overrides,
        )
        for org in organisations
        if not org.is_centre
    }
    return Calendars(
        centre=centre_calendar(config),
        organisations=per_org,
        known_orgs=frozenset(per_org),
    )
