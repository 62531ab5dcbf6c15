"""The page duties' clocks: settled on the page's calendar, then reminded and alerted.

A duty (a report of a created or deleted page, a departed administrator to remove) gets
its clock when it is first seen: `days` working days on the calendar of the page's
organisation, counted from the day after it started (`WorkingCalendar.add_working_days`).
The responsible official gets the task at once (with the report's draft text and a
"done" button); a reminder half-way; at the due moment an alert to them and the curators.
Every message is held until its reader's working hours (quiet hours, production calendar)
and written through the one outbox writer in the same transaction as the duty's new stage,
so a restart neither loses nor repeats one.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from bot.services.calendars import CalendarConfig, load_calendars
from bot.services.outbox_writer import OutboxWriter
from bot.services.replies import KEYBOARD_PARAM
from bot.views.callbacks import PageCb, PageOp
from bot.views.keyboard import button
from db.directory_snapshot import DirectorySnapshot
from db.outbox_repository import Priority
from db.pages_repository import DutyView, PageView
from db.uow import UnitOfWork
from workflow.alerts import AlertPolicy, quiet_until
from workflow.calendar import WorkingCalendar
from workflow.effects import Addressee, JSONDict, Message
from workflow.model import Importance
from workflow.pages import DutyKind, PagePolicy, duty_due, duty_reminder_at
from workflow.roles import Role

STAGE_REMINDED = 1
STAGE_OVERDUE = 2


def page_owner(page: PageView, directory: DirectorySnapshot) -> Addressee:
    """Who answers for a page: its responsible official (while active), else its
    organisation's responsible officials, else the curators (nothing waits on nobody)."""
    person = directory.person(page.responsible_id) if page.responsible_id else None
    if person is not None and person.active:
        return Addressee.person(person.id)
    centre = directory.centre()
    own_org = centre is None or page.org_code != centre.code
    if own_org and directory.people_with_roles([Role.RESPONSIBLE], page.org_code):
        return Addressee.organisation(page.org_code, Role.RESPONSIBLE)
    return Addressee.curators()


def duty_params(page: PageView, duty: DutyView, subject: str | None) -> JSONDict:
    return {
        "duty_id": duty.id,
        "page": page.title or page.url,
        "url": page.url,
        "network": page.network.value,
        "org_code": page.org_code,
        "change": duty.change or "",
        "subject": subject or "",
        "started_at": duty.started_at.isoformat() if duty.started_at else None,
        "due_at": duty.due_at.isoformat() if duty.due_at else None,
    }


class PageDuties:
    def __init__(
        self,
        calendar_config: CalendarConfig,
        policy: PagePolicy,
        alert_policy: AlertPolicy,
        writer: OutboxWriter,
    ) -> None:
        self._config = calendar_config
        self._policy = policy
        self._alerts = alert_policy
        self._writer = writer

    async def run(self, uow: UnitOfWork, now: datetime) -> int:
        """Settle new duties and fire what is due; returns the number of outbox rows."""
        calendars = await load_calendars(uow.directory, self._config)
        snapshot = await uow.directory.snapshot()
        held: list[tuple[Message, datetime]] = []
        await uow.pages.record_departed_admins()  # a deactivation by any path, not only import
        for duty in await uow.pages.unsettled_duties():
            page = await uow.pages.page(duty.page_id)
            if page is None:
                continue
            calendar = cast(WorkingCalendar, calendars.for_org(page.org_code))
            started = duty.started_at or now
            due = duty_due(calendar, started, duty.kind, self._policy.lengths)
            reminder = duty_reminder_at(calendar, started, due, self._alerts.reminder_share)
            await uow.pages.set_duty_clock(
                duty.id, started_at=started, due_at=due, alert_stage=0, next_alert_at=reminder
            )
            settled = await uow.pages.duty(duty.id)
            assert settled is not None
            subject = snapshot.person(duty.subject_id) if duty.subject_id else None
            params = duty_params(page, settled, subject.full_name if subject else None)
            params[KEYBOARD_PARAM] = [[button(_done(duty.id), key="pages.button.done")]]
            key = f"pages.duty.{duty.kind.value}" + (f".{duty.change}" if duty.change else "")
            message = Message(page_owner(page, snapshot), key, params)
            held.append((message, quiet_until(calendar, now, Importance.NORMAL, self._alerts)))
        for duty in await uow.pages.due_duties(now):
            page = await uow.pages.page(duty.page_id)
            if page is None or duty.due_at is None:
                continue
            calendar = cast(WorkingCalendar, calendars.for_org(page.org_code))
            subject = snapshot.person(duty.subject_id) if duty.subject_id else None
            params = duty_params(page, duty, subject.full_name if subject else None)
            params[KEYBOARD_PARAM] = [[button(_done(duty.id), key="pages.button.done")]]
            owner = page_owner(page, snapshot)
            if duty.alert_stage < STAGE_REMINDED and now < duty.due_at:
                await uow.pages.set_duty_clock(
                    duty.id, alert_stage=STAGE_REMINDED, next_alert_at=duty.due_at
                )
                addressees = [owner]
                key = "pages.duty_reminder"
            else:
                await uow.pages.set_duty_clock(duty.id, alert_stage=STAGE_OVERDUE)
                addressees = list(dict.fromkeys([owner, Addressee.curators()]))
                key = "pages.duty_overdue"
            until = quiet_until(calendar, now, Importance.NORMAL, self._alerts)
            held += [(Message(to, key, dict(params)), until) for to in addressees]
        if not held:
            return 0
        ids = await self._writer.held_messages(uow, held, now, priority=Priority.ACTION)
        return len(ids)


def _done(duty_id: int) -> str:
    return PageCb(op=PageOp.DONE, id=duty_id).pack()


def is_report(kind: DutyKind) -> bool:
    return kind in (DutyKind.REPORT_SECTOR, DutyKind.REPORT_REGION)
