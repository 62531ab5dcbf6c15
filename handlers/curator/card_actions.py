"""Card actions: importance (п.17), closing without an answer (п.21), reopening, stage
limits (п.18)."""

from __future__ import annotations

from datetime import timedelta

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
from workflow.model import Importance, NoAnswerReason, StageLimits
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


STAGE_FIELDS = ("respond", "reroute", "draft_margin", "review", "resubmit", "publish")


@router.callback_query(CardCb.filter(F.act == Act.LIMITS))
async def ask_limits(
    query: CallbackQuery,
    callback_data: CardCb,
    state: FSMContext,
    services: Services,
    locale: str,
) -> None:
    prompt = ("ask.stage_limits", {"id": callback_data.incident, "fields": ", ".join(STAGE_FIELDS)})
    await ask_for_text(
        query,
        state,
        AskCurator.stage_limits,
        services,
        locale,
        prompt,
        incident=callback_data.incident,
    )


def parse_stage_limits(text: str) -> StageLimits | None:
    """`review=60 publish=120` (minutes) → StageLimits; None if anything is off."""
    values: dict[str, timedelta] = {}
    for part in text.replace(",", " ").split():
        name, sep, minutes = part.partition("=")
        if not sep or name not in STAGE_FIELDS or not minutes.isdigit():
            return None
        values[name] = timedelta(minutes=int(minutes))
    return StageLimits(**values) if values else None


@router.message(AskCurator.stage_limits, F.text)
async def stage_limits(
    message: Message,
    state: FSMContext,
    services: Services,
    person: PersonView,
    locale: str,
    t: Translate,
) -> None:
    limits = parse_stage_limits(message.text or "")
    if limits is None:
        await say(
            services, message, locale, "ask.stage_limits_format", fields=", ".join(STAGE_FIELDS)
        )
        return
    data = await state.get_data()
    if await perform(message, services, person, t, data["incident"], cmd.SetStageLimits(limits)):
        await state.clear()
        await say(services, message, locale, "done.stage_limits", id=data["incident"])
