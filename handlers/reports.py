"""Managers and responsible officials: what is overdue, what is due today, one incident's story."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.services.incidents import UnknownIncident
from bot.views.reports import due_list_text
from bot.views.timeline import timeline_text
from handlers.common import HasRole, Translate
from handlers.context import Services
from workflow.roles import CURATOR_ROLES, Role

router = Router(name=__name__)
READERS = (*CURATOR_ROLES, Role.MANAGER, Role.RESPONSIBLE, Role.ADMIN)
router.message.filter(HasRole(*READERS))


@router.message(Command("overdue"))
async def overdue(message: Message, services: Services, t: Translate) -> None:
    report = await services.reports.overdue()
    if not report.items:
        await message.answer(t("report.no_overdue"))
        return
    tz = services.centre_tz()
    await message.answer(due_list_text(report.items, report.names, tz, t, "report.overdue_header"))


@router.message(Command("today"))
async def today(message: Message, services: Services, t: Translate) -> None:
    report = await services.reports.due_today()
    if not report.items:
        await message.answer(t("report.nothing_today"))
        return
    tz = services.centre_tz()
    await message.answer(due_list_text(report.items, report.names, tz, t, "report.today_header"))


@router.message(Command("incident"))
async def incident_command(
    message: Message, command: CommandObject, services: Services, locale: str, t: Translate
) -> None:
    argument = (command.args or "").strip().lstrip("№#")
    if not argument.isdigit():
        await message.answer(t("report.incident_usage"))
        return
    incident_id = int(argument)
    model = await services.reports.timeline(incident_id)
    if model is None:
        await message.answer(t("error.incident_gone", id=incident_id))
        return
    try:  # a copy of its own: the chat's working card keeps its place and its buttons
        await services.incidents.send_copy(incident_id, message.chat.id, locale)
    except UnknownIncident:
        await message.answer(t("error.incident_gone", id=incident_id))
        return
    await message.answer(timeline_text(model, t, services.clock.now(), services.centre_tz()))
