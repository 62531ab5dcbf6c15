"""Card actions: importance (п.17), closing without an answer (п.21), reopening. The stage
limits (п.18) are in limits.py."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.services.people_service import PersonView
from bot.views.callbacks import Act, CardCb, CloseCb
from bot.views.keyboard import button, cancel_button
from handlers.common import HasRole, Translate, ask_for_text, perform, say, tell_done
from handlers.context import Services
from handlers.curator.states import AskCurator
from workflow import commands as cmd
from workflow.model import Importance, NoAnswerReason
from workflow.roles import CURATOR_ROLES

router = Router(name=__name__)
router.message.filter(HasRole(*CURATOR_ROLES))
router.callback_query.filter(HasRole(*CURATOR_ROLES))


@router.callback_query(CardCb.filter(F.act.in_({Act.HIGH, Act.NORMAL})))
async def importance(
    query: CallbackQuery,
    callback_data: CardCb,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    level = Importance.HIGH if callback_data.act is Act.HIGH else Importance.NORMAL
    if await perform(query, services, person, t, callback_data.incident, cmd.SetImportance(level)):
        await tell_done(query, t(f"done.importance.{level.value}", id=callback_data.incident))


@router.callback_query(CardCb.filter(F.act == Act.CLOSE))
async def ask_close(
    query: CallbackQuery, callback_data: CardCb, services: Services, locale: str
) -> None:
    rows = [
        [
            button(
                CloseCb(incident=callback_data.incident, reason=reason.value).pack(),
                key=f"no_answer.{reason.value}",
            )
        ]
        for reason in NoAnswerReason
    ]
    rows.append([cancel_button()])
    await query.answer()
    await say(services, query, locale, "ask.close_reason", keyboard=rows, id=callback_data.incident)


@router.callback_query(CloseCb.filter())
async def close(
    query: CallbackQuery,
    callback_data: CloseCb,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    if callback_data.reason not in {r.value for r in NoAnswerReason}:
        await query.answer(t("error.bad_button"), show_alert=True)
        return
    if await perform(
        query,
        services,
        person,
        t,
        callback_data.incident,
        cmd.CloseNoAnswer(NoAnswerReason(callback_data.reason)),
    ):
        await tell_done(query, t("done.closed", id=callback_data.incident))
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)


@router.callback_query(CardCb.filter(F.act == Act.REOPEN))
async def ask_reopen(
    query: CallbackQuery,
    callback_data: CardCb,
    state: FSMContext,
    services: Services,
    locale: str,
) -> None:
    prompt = ("ask.reopen_comment", {"id": callback_data.incident})
    await ask_for_text(
        query,
        state,
        AskCurator.reopen_comment,
        services,
        locale,
        prompt,
        incident=callback_data.incident,
    )


@router.message(AskCurator.reopen_comment, F.text)
async def reopen(
    message: Message,
    state: FSMContext,
    services: Services,
    person: PersonView,
    locale: str,
    t: Translate,
) -> None:
    data = await state.get_data()
    if await perform(
        message, services, person, t, data["incident"], cmd.Reopen(message.text or "")
    ):
        await state.clear()
        await say(services, message, locale, "done.reopened", id=data["incident"])
