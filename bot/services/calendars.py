"""Working-time calendars from the settings and the directory's organisations.

The calendars live as long as the directory snapshot they were built from: a change of the
directory (an import) gives a new snapshot and so new calendars; nothing else reloads them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from db.directory_repository import DirectoryRepository
from db.directory_snapshot import DirectorySnapshot, OrganisationView
from workflow.calendar import CalendarOverrides, WeeklySchedule, WorkingCalendar
from workflow.calendars import Calendars


@dataclass(frozen=True, slots=True)
class CalendarConfig:
    timezone: str
    office_hours: str
    always: bool
    overrides: CalendarOverrides


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


def build_calendars(organisations: Iterable[OrganisationView], config: CalendarConfig) -> Calendars:
    """The calendars of organisations already loaded."""
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


def calendars_for(directory: DirectorySnapshot, config: CalendarConfig) -> Calendars:
    """Each organisation's calendar, built once per snapshot and configuration."""
    key = ("calendars", config)
    cached = directory.memo.get(key)
    if cached is None:
        cached = directory.memo[key] = build_calendars(directory.organisations, config)
    return cached  # type: ignore[no-any-return]


async def load_calendars(
    directory: DirectoryRepository | DirectorySnapshot, config: CalendarConfig
) -> Calendars:
    """The calendars from the cached directory snapshot: no SQL once it is loaded.

    Takes the unit of work's repository (`uow.directory`) or a snapshot."""
    if isinstance(directory, DirectoryRepository):
        directory = await directory.snapshot()
    return calendars_for(directory, config)
