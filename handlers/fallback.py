"""What no role's router took: presses a person may not make, forged data, stray messages."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.views.callbacks import CardCb, CloseCb, FlowCb, FlowOp, LimitCb, OrgPickCb, ReturnCb
from handlers.common import Translate
from handlers.context import Services
from handlers.executor import SENT_DRAFT

log = logging.getLogger(__name__)

router = Router(name=__name__)


@router.callback_query(CardCb.filter())
async def not_allowed(
    query: CallbackQuery, callback_data: CardCb, services: Services, t: Translate
) -> None:
    """A real button, but not this person's: say so, and refresh the card everywhere."""
    await query.answer(t("refusal.not_allowed"), show_alert=True)
    try:
        await services.incidents.refresh_card(callback_data.incident)
    except Exception:
        log.info("no card to refresh for incident %s", callback_data.incident)


@router.callback_query(FlowCb.filter(F.op == FlowOp.SEND))
async def draft_gone(query: CallbackQuery, state: FSMContext, t: Translate) -> None:
    """«Send» with no draft being composed: say whether it went already (a second press on
    an older note) or is gone (cancelled, or begun by someone else), never one for the other."""
    sent = (await state.get_data()).get(SENT_DRAFT)
    if sent is not None:
        await query.answer(t("flow.draft_already_sent", id=sent), show_alert=True)
    else:
        await query.answer(t("flow.draft_gone"), show_alert=True)


@router.callback_query(OrgPickCb.filter())
@router.callback_query(ReturnCb.filter())
@router.callback_query(CloseCb.filter())
@router.callback_query(FlowCb.filter())
@router.callback_query(LimitCb.filter())
async def stale_step(query: CallbackQuery, t: Translate) -> None:
    """A button of a guided step that is over (done, cancelled, or another person's)."""
    await query.answer(t("flow.stale"), show_alert=True)


@router.callback_query()
async def unknown_button(query: CallbackQuery, t: Translate) -> None:
    """Data that no button of ours produces (forged, truncated, from an old version)."""
    log.warning(
        "refused callback data %r from user %s", (query.data or "")[:64], query.from_user.id
    )
    await query.answer(t("error.bad_button"), show_alert=True)


@router.message(F.chat.type == "private")
async def stray_private_message(message: Message, t: Translate) -> None:
    await message.answer(t("help.stray"))
