""" "No answer needed" (п.10) with its ground, and withdrawing a silent organisation (п.19)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.services.incidents import UnknownIncident
from bot.services.people_service import PersonView
from bot.views.callbacks import Act, CardCb, DismissCb, WithdrawCb
from bot.views.keyboard import button, cancel_button
from handlers.common import HasRole, Translate, ask_for_text, perform, say, tell_done
from handlers.context import Services
from handlers.curator.states import AskCurator
from workflow import commands as cmd
from workflow.commands.withdrawal import withdraw_candidates
from workflow.model import DismissalGround
from workflow.roles import CURATOR_ROLES

router = Router(name=__name__)
router.message.filter(HasRole(*CURATOR_ROLES))
router.callback_query.filter(HasRole(*CURATOR_ROLES))

MAX_INCIDENT_ID = 2**31 - 1


# --- п.10: no answer needed ------------------------------------------------------------------


@router.callback_query(CardCb.filter(F.act == Act.DISMISS))
async def ask_ground(
    query: CallbackQuery, callback_data: CardCb, services: Services, locale: str
) -> None:
    """The policy's grounds as buttons, in its order."""
    rows = [
        [
            button(
                DismissCb(incident=callback_data.incident, ground=ground.value).pack(),
                key=f"dismissal.ground.{ground.value}",
            )
        ]
        for ground in services.incidents.policy.dismissal_grounds
    ]
    rows.append([cancel_button()])
    await query.answer()
    await say(
        services, query, locale, "ask.dismiss_ground", keyboard=rows, id=callback_data.incident
    )


@router.callback_query(DismissCb.filter())
async def ground_chosen(
    query: CallbackQuery,
    callback_data: DismissCb,
    state: FSMContext,
    services: Services,
    person: PersonView,
    locale: str,
    t: Translate,
) -> None:
    if callback_data.ground not in {g.value for g in DismissalGround}:
        await query.answer(t("error.bad_button"), show_alert=True)
        return
    incident_id = callback_data.incident
    if callback_data.ground == DismissalGround.DUPLICATE.value:
        # The number of the incident it repeats comes next, as text.
        prompt = ("ask.duplicate_of", {"id": incident_id})
        await ask_for_text(
            query, state, AskCurator.duplicate_of, services, locale, prompt, incident=incident_id
        )
        return
    if await perform(query, services, person, t, incident_id, cmd.Dismiss(callback_data.ground)):
        await tell_done(query, t("done.dismissed", id=incident_id))
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)


def parse_incident_number(text: str) -> int | None:
    """`123` or `№123` or `#123`; None for anything else."""
    digits = text.strip().lstrip("№#").strip()
    if not digits.isdigit():
        return None
    number = int(digits)
    return number if 0 < number <= MAX_INCIDENT_ID else None


@router.message(AskCurator.duplicate_of, F.text)
async def duplicate_of(
    message: Message,
    state: FSMContext,
    services: Services,
    person: PersonView,
    locale: str,
    t: Translate,
) -> None:
    number = parse_incident_number(message.text or "")
    if number is None:
        await say(services, message, locale, "ask.duplicate_format")
        return
    data = await state.get_data()
    try:
        await services.incidents.get(number)
    except UnknownIncident:
        await say(services, message, locale, "error.incident_gone", id=number)
        return
    dismissal = cmd.Dismiss(DismissalGround.DUPLICATE.value, duplicate_of=number)
    if await perform(message, services, person, t, data["incident"], dismissal):
        await state.clear()
        await say(services, message, locale, "done.dismissed", id=data["incident"])


# --- п.19: withdrawing a silent organisation ------------------------------------------------


@router.callback_query(CardCb.filter(F.act == Act.WITHDRAW))
async def ask_organisation(
    query: CallbackQuery, callback_data: CardCb, services: Services, locale: str, t: Translate
) -> None:
    try:
        incident = await services.incidents.get(callback_data.incident)
    except UnknownIncident:
        await query.answer(t("error.incident_gone", id=callback_data.incident), show_alert=True)
        return
    silent = await services.lookups.organisations_among(withdraw_candidates(incident))
    if not silent:
        await query.answer(t("error.nothing_to_withdraw"), show_alert=True)
        return
    rows = [
        [button(WithdrawCb(incident=incident.id, org=org.id).pack(), label=org.name)]
        for org in silent
    ]
    rows.append([cancel_button()])
    await query.answer()
    await say(services, query, locale, "ask.withdraw_org", keyboard=rows, id=incident.id)


@router.callback_query(WithdrawCb.filter())
async def organisation_chosen(
    query: CallbackQuery,
    callback_data: WithdrawCb,
    state: FSMContext,
    services: Services,
    locale: str,
    t: Translate,
) -> None:
    codes = await services.lookups.organisation_codes([callback_data.org])
    if not codes:
        await query.answer(t("error.bad_button"), show_alert=True)
        return
    prompt = ("ask.withdraw_comment", {"id": callback_data.incident})
    await ask_for_text(
        query,
        state,
        AskCurator.withdraw_comment,
        services,
        locale,
        prompt,
        incident=callback_data.incident,
        org_code=codes[0],
    )


@router.message(AskCurator.withdraw_comment, F.text)
async def withdraw(
    message: Message,
    state: FSMContext,
    services: Services,
    person: PersonView,
    locale: str,
    t: Translate,
) -> None:
    data = await state.get_data()
    command = cmd.WithdrawOrganisation(data["org_code"], message.text or "")
    if await perform(message, services, person, t, data["incident"], command):
        await state.clear()
        await say(services, message, locale, "done.withdrawn", id=data["incident"])
