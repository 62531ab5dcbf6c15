"""Managers and responsible officials: what is overdue, what is due today, one incident's
story, and the period reports (/report: a picker, or typed dates)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.services.incidents import UnknownIncident
from bot.services.people_service import PersonView
from bot.services.period_reports import ReportRefused, UnknownOrganisation
from bot.views.callbacks import ReportCb
from bot.views.report_picker import picker_keyboard
from bot.views.reports import due_list_text
from bot.views.timeline import timeline_text
from handlers.common import HasRole, Translate, chat_of, say
from handlers.context import Services
from workflow.report_periods import PeriodError
from workflow.roles import CURATOR_ROLES, Role

router = Router(name=__name__)
READERS = (*CURATOR_ROLES, Role.MANAGER, Role.RESPONSIBLE, Role.ADMIN)
router.message.filter(HasRole(*READERS))
# /report answers everyone registered: who may not have reports is told so (the service
# decides who sees what).
everyone = Router(name=f"{__name__}.everyone")


@everyone.message(Command("report"))
async def report_command(
    message: Message,
    command: CommandObject,
    services: Services,
    person: PersonView | None,
    locale: str,
    t: Translate,
) -> None:
    reports = services.period_reports
    try:
        if not (command.args or "").strip():
            reports.allowed(person)
            await say(services, message, locale, "reports.pick", keyboard=picker_keyboard())
            return
        await reports.request_typed(person, message.chat.id, locale, command.args or "")
    except ReportRefused as refused:
        await message.answer(t(refused.code))
    except PeriodError as error:
        await message.answer(t(f"reports.{error.code}"))
    except UnknownOrganisation as unknown:
        await message.answer(t("reports.unknown_org", code=unknown.code))


@everyone.callback_query(ReportCb.filter())
async def report_picked(
    query: CallbackQuery,
    callback_data: ReportCb,
    services: Services,
    person: PersonView | None,
    locale: str,
    t: Translate,
) -> None:
    chat_id = chat_of(query)
    if chat_id is None:
        await query.answer()
        return
    try:
        period = await services.period_reports.request_choice(
            person, chat_id, locale, callback_data.period
        )
    except ReportRefused as refused:
        await query.answer(t(refused.code)[:200], show_alert=True)
        return
    except PeriodError as error:
        await query.answer(t(f"reports.{error.code}")[:200], show_alert=True)
        return
    await query.answer(t("reports.preparing", period=period.label())[:200])


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
