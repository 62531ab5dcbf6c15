"""Managers and responsible officials: what is overdue, what is due today, one incident's story."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy import select

from bot.services.incidents import UnknownIncident
from db.models import Organisation, Person
from db.report_repository import DueItem, ReportRepository
from handlers.cards import e, local_time
from handlers.common import HasRole, Translate
from handlers.context import Services
from workflow.roles import CURATOR_ROLES, Role
from workflow.timeline import format_timeline, timeline

router = Router(name=__name__)
READERS = (*CURATOR_ROLES, Role.MANAGER, Role.RESPONSIBLE, Role.ADMIN)
router.message.filter(HasRole(*READERS))

MESSAGE_BUDGET = 3800  # leave room under Telegram's 4096 for the header


async def _names(services: Services) -> tuple[dict[str, str], dict[int, str]]:
    async with services.sessions() as session:
        orgs = dict(
            (await session.execute(select(Organisation.code, Organisation.name))).tuples().all()
        )
        people = dict((await session.execute(select(Person.id, Person.full_name))).tuples().all())
    return orgs, people


async def timeline_text(services: Services, incident_id: int, t: Translate) -> str:
    try:
        incident = await services.incidents.get(incident_id)
    except UnknownIncident:
        return t("error.incident_gone", id=incident_id)
    events = await services.incidents.events(incident_id)
    calendars = await services.incidents.calendars()
    orgs, people = await _names(services)
    entries = timeline(incident, events, calendars, now=services.clock.now())
    by_time = {entry.at: entry.actor_id for entry in entries}

    def translate(key: str, params: Any) -> str:
        values = {k: e(v) if isinstance(v, str) else v for k, v in dict(params).items()}
        if key.startswith("timeline.deadline") and "kind" in params:
            values["kind"] = t(f"deadline.kind.{params['kind']}")
        if params.get("org_code"):
            values["org"] = e(orgs.get(params["org_code"], params["org_code"]))
        if params.get("org_codes"):
            values["orgs"] = ", ".join(e(orgs.get(c, c)) for c in params["org_codes"])
        return t(key, **values)

    lines = format_timeline(entries, translate, services.centre_tz())
    actors = [by_time.get(entry.at) for entry in entries]
    rendered = [
        line + (f" — {e(people.get(actor, ''))}" if actor else "")
        for line, actor in zip(lines, actors, strict=True)
    ]
    return _fit(t("timeline.header", id=incident_id), rendered, t)


def _fit(header: str, lines: list[str], t: Translate) -> str:
    text = header
    for index, line in enumerate(lines):
        if len(text) + len(line) + 1 > MESSAGE_BUDGET:
            return text + "\n" + t("report.more", count=len(lines) - index)
        text += "\n" + line
    return text


def _item_line(item: DueItem, orgs: dict[str, str], services: Services, t: Translate) -> str:
    org = e(orgs.get(item.org_code, item.org_code)) if item.org_code else t("report.centre")
    return t(
        "report.item",
        id=item.incident_id,
        kind=t(f"deadline.kind.{item.kind.value}"),
        org=org,
        due=local_time(item.due_at, services.centre_tz()),
    )


@router.message(Command("overdue"))
async def overdue(message: Message, services: Services, t: Translate) -> None:
    now = services.clock.now()
    async with services.sessions() as session:
        items = await ReportRepository(session).running_deadlines_due(now)
    orgs, _ = await _names(services)
    if not items:
        await message.answer(t("report.no_overdue"))
        return
    lines = [_item_line(item, orgs, services, t) for item in items]
    await message.answer(_fit(t("report.overdue_header", count=len(items)), lines, t))


@router.message(Command("today"))
async def today(message: Message, services: Services, t: Translate) -> None:
    now = services.clock.now()
    tz = services.centre_tz()
    local = now.astimezone(tz)
    end = datetime.combine(local.date(), time(23, 59, 59), tz)
    async with services.sessions() as session:
        items = await ReportRepository(session).running_deadlines_due(
            end, since=now - timedelta(days=365)
        )
    orgs, _ = await _names(services)
    if not items:
        await message.answer(t("report.nothing_today"))
        return
    lines = [_item_line(item, orgs, services, t) for item in items]
    await message.answer(_fit(t("report.today_header", count=len(items)), lines, t))


@router.message(Command("incident"))
async def incident_command(
    message: Message, command: CommandObject, services: Services, t: Translate
) -> None:
    argument = (command.args or "").strip().lstrip("№#")
    if not argument.isdigit():
        await message.answer(t("report.incident_usage"))
        return
    incident_id = int(argument)
    try:
        await services.incidents.get(incident_id)
    except UnknownIncident:
        await message.answer(t("error.incident_gone", id=incident_id))
        return
    await services.incidents.show_card(incident_id, message.chat.id)
    await message.answer(await timeline_text(services, incident_id, t))
