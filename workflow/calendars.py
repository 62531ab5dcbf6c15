"""Which working-time calendar counts which clock.

Every deadline runs on the calendar of the party that must act: the centre's for the
curator's clocks and the answer clock, an organisation's for its executors' clocks.
The workflow depends on the `Calendar` protocol only; `workflow.calendar.WorkingCalendar`
is the implementation the application passes in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from workflow.model import Deadline, Party


class Calendar(Protocol):
    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of working time after `start`."""
        ...

    def subtract(self, end: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of working time before `end`."""
        ...

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two moments."""
        ...

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end of office hours of the n-th working day after `start`'s local date."""
        ...


@dataclass(frozen=True, slots=True)
class Calendars:
    """The centre's calendar and the organisations' own, falling back to the centre's.

    `known_orgs` lists the organisation codes that exist (routing to another code is
    refused); None accepts any code, which suits tests and a directory-less setup.
    """

    centre: Calendar
    organisations: Mapping[str, Calendar] = field(default_factory=dict)
    known_orgs: frozenset[str] | None = None

    def knows(self, org_code: str) -> bool:
        if self.known_orgs is None:
            return True
        return org_code in self.known_orgs or org_code in self.organisations

    def for_org(self, org_code: str) -> Calendar:
        return self.organisations.get(org_code, self.centre)

    def for_party(self, party: Party, org_code: str | None) -> Calendar:
        if party is Party.ORGANISATION and org_code is not None:
            return self.for_org(org_code)
        return self.centre

    def for_deadline(self, deadline: Deadline) -> Calendar:
        return self.for_party(deadline.party, deadline.org_code)

    # Results are normalised to UTC: the model keeps every moment in UTC.

    def add(
        self, party: Party, org_code: str | None, start: datetime, length: timedelta
    ) -> datetime:
        return self.for_party(party, org_code).add(start, length).astimezone(UTC)

    def subtract(
        self, party: Party, org_code: str | None, end: datetime, length: timedelta
    ) -> datetime:
        return self.for_party(party, org_code).subtract(end, length).astimezone(UTC)

    def elapsed(
        self, party: Party, org_code: str | None, start: datetime, end: datetime
    ) -> timedelta:
        if end <= start:
            return timedelta(0)
        return self.for_party(party, org_code).elapsed(start, end)

    def lateness(self, deadline: Deadline, at: datetime) -> timedelta:
        """Working time by which `at` is past the deadline's due moment (zero if not late)."""
        return self.elapsed(deadline.party, deadline.org_code, deadline.due_at, at)
