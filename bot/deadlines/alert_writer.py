"""The alerts of one scanner batch, written through the one outbox writer with quiet hours.

Each alert is held until its reader's next working moment (`workflow.alerts.quiet_until`):
the calendar is an organisation's for its chats and people (a stand-in reads on the
calendar of the person replaced), the centre's for roles (curators, managers). Reminders
are notices; alerts about an overdue step need someone to act, and go before notices in
their chat's queue. Addressees are resolved once per batch (a batch's alerts mostly reach
the same few readers), and the batch's rows are written together at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from bot.services.addressing import Recipient
from bot.services.outbox_writer import OutboxWriter
from db.outbox_repository import Priority
from db.uow import UnitOfWork
from workflow.alerts import AlertCalendar, AlertPolicy, AlertStage, quiet_until
from workflow.calendars import Calendar, Calendars
from workflow.effects import Addressee, AddresseeKind, Message
from workflow.model import Importance, Incident


def alert_priority(stage: AlertStage) -> Priority:
    return Priority.ACTION if stage >= AlertStage.OVERDUE else Priority.NOTICE


class AlertWriter:
    def __init__(
        self,
        uow: UnitOfWork,
        writer: OutboxWriter,
        calendars: Calendars,
        policy: AlertPolicy,
        now: datetime,
    ) -> None:
        self._uow = uow
        self._writer = writer
        self._calendars = calendars
        self._policy = policy
        self._now = now
        self._resolved: dict[Addressee, list[Recipient]] = {}
        self._reader_calendars: dict[Addressee, AlertCalendar] = {}
        self._held: dict[Priority, list[tuple[Message, datetime]]] = {}
        self._redrawn: set[int] = set()

    async def reader_calendar(self, addressee: Addressee) -> AlertCalendar:
        found = self._reader_calendars.get(addressee)
        if found is not None:
            return found
        calendar: Calendar = self._calendars.centre
        if addressee.kind is AddresseeKind.ORGANISATION and addressee.org_code is not None:
            calendar = self._calendars.for_org(addressee.org_code)
        elif addressee.kind is AddresseeKind.PERSON and addressee.person_id is not None:
            person = await self._uow.directory.person_by_id(addressee.person_id)
            if person is not None and person.org_code is not None:
                calendar = self._calendars.for_org(person.org_code)  # the centre's falls back
        # Calendars holds WorkingCalendar objects, which know their next working moment.
        found = self._reader_calendars[addressee] = cast(AlertCalendar, calendar)
        return found

    async def add(
        self, messages: Sequence[Message], importance: Importance, stage: AlertStage
    ) -> None:
        """Queue one alert's messages, each held for its reader."""
        held = self._held.setdefault(alert_priority(stage), [])
        for message in messages:
            calendar = await self.reader_calendar(message.to)
            held.append((message, quiet_until(calendar, self._now, importance, self._policy)))

    async def redraw_card(self, incident: Incident) -> None:
        """The card shows the overdue state: have it redrawn where it is shown, once."""
        if incident.id in self._redrawn:
            return
        self._redrawn.add(incident.id)
        await self._writer.cards(self._uow, incident, self._now)

    async def write(self) -> int:
        """Write the queued alerts; returns the number of outbox rows."""
        written = 0
        for priority, held in sorted(self._held.items()):
            ids = await self._writer.held_messages(
                self._uow, held, self._now, priority=priority, resolved=self._resolved
            )
            written += len(ids)
        self._held.clear()
        return written
