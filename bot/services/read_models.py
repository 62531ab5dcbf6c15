"""The read model the views (bot/views) are fed, loaded once per render batch through the
repositories: views never query anything themselves.

Rendering a card used to reload the incident, the calendars and the organisations several
times; now a batch loads the directory part once (`DirectoryView`) and each card its
incident once (`CardModel`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.services.calendars import CalendarConfig, calendars_for
from db.uow import UnitOfWork
from workflow.calendars import Calendars
from workflow.effects import Event
from workflow.model import Incident


@dataclass(frozen=True, slots=True)
class Names:
    """Display names the views need from the directory."""

    organisations: Mapping[str, str]
    people: Mapping[int, str]

    def org(self, code: str) -> str:
        return self.organisations.get(code, code)

    def person(self, person_id: int | None) -> str:
        if person_id is None:
            return "—"
        return self.people.get(person_id, f"#{person_id}")


@dataclass(frozen=True, slots=True)
class DirectoryView:
    """Names, time zones and working calendars of the directory at one moment."""

    names: Names
    timezones: Mapping[str, str]  # organisation code -> IANA zone, where the office has one
    calendars: Calendars
    centre_timezone: str

    def tz(self, org_code: str | None) -> ZoneInfo:
        zone = self.timezones.get(org_code) if org_code else None
        return ZoneInfo(zone or self.centre_timezone)

    @property
    def org_codes(self) -> list[str]:
        """Organisations an incident may be routed to (the centre is not one)."""
        return sorted(self.calendars.known_orgs or ())


@dataclass(frozen=True, slots=True)
class CardModel:
    incident: Incident
    flags: tuple[str, ...] = ()  # intake's hints, e.g. "possible_p21"
    duplicates: tuple[str, ...] = ()  # addresses of the posts attached as its repeats


@dataclass(frozen=True, slots=True)
class TimelineModel:
    incident: Incident
    events: Sequence[Event]
    directory: DirectoryView


class ReadModels:
    """Loads the read model; the only way views reach stored data (no SQL of their own)."""

    def __init__(self, calendar_config: CalendarConfig) -> None:
        self._calendar_config = calendar_config

    async def directory(self, uow: UnitOfWork) -> DirectoryView:
        """From the cached directory snapshot: no SQL while the directory is unchanged, and
        built once per snapshot."""
        snapshot = await uow.directory.snapshot()
        key = ("directory view", self._calendar_config)
        view = snapshot.memo.get(key)
        if view is None:
            organisations = snapshot.organisations
            people = {person.id: person.full_name for person in snapshot.people.values()}
            view = snapshot.memo[key] = DirectoryView(
                names=Names({org.code: org.name for org in organisations}, people),
                timezones={org.code: org.timezone for org in organisations if org.timezone},
                calendars=calendars_for(snapshot, self._calendar_config),
                centre_timezone=self._calendar_config.timezone,
            )
        return view  # type: ignore[no-any-return]

    async def card(self, uow: UnitOfWork, incident_id: int) -> CardModel | None:
        """The incident and its intake hints, read in one go."""
        found = await uow.incidents.get_for_card(incident_id)
        if found is None:
            return None
        repeats = await uow.intake.duplicate_urls(incident_id) if found.repeats else ()
        return CardModel(found.incident, found.flags, repeats)

    async def timeline(self, uow: UnitOfWork, incident_id: int) -> TimelineModel | None:
        incident = await uow.incidents.get(incident_id)
        if incident is None:
            return None
        events = await uow.incidents.events(incident_id)
        return TimelineModel(incident, events, await self.directory(uow))
