"""Reviewing a draft (п.14): show it as it will be published, approve or return it."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
)

from bot.services.people_service import PersonView
from bot.views.callbacks import Act, CardCb, ReasonOp, ReturnCb
from bot.views.format import e
from bot.views.keyboard import KeyboardSpec, button, cancel_button, markup
from handlers.common import HasRole, Translate, perform, say, tell_done
from handlers.context import Services
from handlers.curator.states import AskCurator
from workflow import commands as cmd
from workflow.model import Draft, Incident, MediaKind, ReturnReason
from workflow.roles import CURATOR_ROLES

router = Router(name=__name__)
router.message.filter(HasRole(*CURATOR_ROLES))
router.callback_query.filter(HasRole(*CURATOR_ROLES))


def _find_draft(incident: Incident, draft_id: int) -> Draft | None:
    return next((d for d in incident.drafts if d.id == draft_id), None)


@router.callback_query(CardCb.filter(F.act == Act.REVIEW))
async def show_draft(
    query: CallbackQuery, callback_data: CardCb, services: Services, locale: str, t: Translate
) -> None:
    """The draft exactly as it will be published: its media with the text, then the verdict."""
    incident = await services.incidents.get(callback_data.incident)
    draft = _find_draft(incident, callback_data.arg)
    if draft is None or not isinstance(query.message, Message):
        await query.answer(t("refusal.no_such_draft"), show_alert=True)
        return
    await query.answer()
    chat = query.message
    text = e(draft.text)
    if len(draft.media) == 1 and len(text) <= 1024:
        item = draft.media[0]
        send = {
            MediaKind.PHOTO: chat.answer_photo,
            MediaKind.VIDEO: chat.answer_video,
            MediaKind.DOCUMENT: chat.answer_document,
        }[item.kind]
        await send(item.file_id, caption=text)
    else:
        if draft.media:
            await chat.answer_media_group([_input_media(m.kind, m.file_id) for m in draft.media])
        await chat.answer(text)
    # The preview above answers the press at once; the verdict's question waits its turn.
    verdict = [
        button(CardCb(incident=incident.id, act=act, arg=draft.id).pack(), key=key)
        for act, key in ((Act.APPROVE, "button.approve"), (Act.RETURN, "button.return"))
    ]
    await say(
        services,
        query,
        locale,
        "review.header",
        keyboard=[verdict],
        id=incident.id,
        kind=draft.kind.value,
        version=draft.version,
    )


def _input_media(
    kind: MediaKind, file_id: str
) -> InputMediaPhoto | InputMediaVideo | InputMediaDocument:
    if kind is MediaKind.PHOTO:
        return InputMediaPhoto(media=file_id)
    if kind is MediaKind.VIDEO:
        return InputMediaVideo(media=file_id)
    return InputMediaDocument(media=file_id)


@router.callback_query(CardCb.filter(F.act == Act.APPROVE))
async def approve(
    query: CallbackQuery,
    callback_data: CardCb,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    if await perform(
        query,
        services,
        person,
        t,
        callback_data.incident,
        cmd.Review(draft_id=callback_data.arg, approve=True),
    ):
        await tell_done(query, t("done.approved", id=callback_data.incident))
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)


def _reasons_keyboard(incident_id: int, draft_id: int, chosen: set[str]) -> KeyboardSpec:
    def data(op: ReasonOp, reason: str = "") -> str:
        return ReturnCb(incident=incident_id, draft=draft_id, op=op, reason=reason).pack()

    rows = [
        [
            button(
                data(ReasonOp.TOGGLE, reason.value),
                label="☑ " if reason.value in chosen else "☐ ",
                key=f"reason.{reason.value}",
            )
        ]
        for reason in ReturnReason
    ]
    rows.append(
        [
            button(data(ReasonOp.COMMENT), key="button.comment"),
            button(data(ReasonOp.SEND), key="button.send_return"),
        ]
    )
    rows.append([cancel_button()])
    return rows


@router.callback_query(CardCb.filter(F.act == Act.RETURN))
async def start_return(
    query: CallbackQuery,
    callback_data: CardCb,
    state: FSMContext,
    services: Services,
    locale: str,
) -> None:
    await state.set_state(AskCurator.return_comment)
    await state.set_data(
        {
            "incident": callback_data.incident,
            "draft": callback_data.arg,
            "reasons": [],
            "comment": None,
            "collecting_comment": False,
        }
    )
    await query.answer()
    await say(
        services,
        query,
        locale,
        "ask.return_reasons",
        keyboard=_reasons_keyboard(callback_data.incident, callback_data.arg, set()),
        id=callback_data.incident,
    )


async def _return_data(
    query: CallbackQuery, callback_data: ReturnCb, state: FSMContext, t: Translate
) -> dict | None:
    data = await state.get_data()
    if data.get("incident") != callback_data.incident or data.get("draft") != callback_data.draft:
        await query.answer(t("flow.stale"), show_alert=True)
        return None
    return data


@router.callback_query(ReturnCb.filter(F.op == ReasonOp.TOGGLE))
async def toggle_reason(
    query: CallbackQuery, callback_data: ReturnCb, state: FSMContext, t: Translate
) -> None:
    data = await _return_data(query, callback_data, state, t)
    if data is None:
        return
    if callback_data.reason not in {r.value for r in ReturnReason}:
        await query.answer(t("error.bad_button"), show_alert=True)
        return
    chosen = set(data["reasons"]) ^ {callback_data.reason}
    await state.update_data(reasons=sorted(chosen))
    await query.answer()
    if isinstance(query.message, Message):
        rows = _reasons_keyboard(callback_data.incident, callback_data.draft, chosen)
        await query.message.edit_reply_markup(reply_markup=markup(rows, t))


@router.callback_query(ReturnCb.filter(F.op == ReasonOp.COMMENT))
async def ask_return_comment(
    query: CallbackQuery,
    callback_data: ReturnCb,
    state: FSMContext,
    services: Services,
    locale: str,
    t: Translate,
) -> None:
    if await _return_data(query, callback_data, state, t) is None:
        return
    await state.update_data(collecting_comment=True)
    await query.answer()
    await say(services, query, locale, "ask.return_comment")


@router.message(AskCurator.return_comment, F.text)
async def return_comment(
    message: Message, state: FSMContext, services: Services, locale: str
) -> None:
    data = await state.get_data()
    if not data.get("collecting_comment"):
        await say(services, message, locale, "ask.use_buttons")
        return
    await state.update_data(comment=(message.text or "")[:1000], collecting_comment=False)
    rows = _reasons_keyboard(data["incident"], data["draft"], set(data["reasons"]))
    await say(services, message, locale, "ask.return_comment_saved", keyboard=rows)


@router.callback_query(ReturnCb.filter(F.op == ReasonOp.SEND))
async def send_return(
    query: CallbackQuery,
    callback_data: ReturnCb,
    state: FSMContext,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    data = await _return_data(query, callback_data, state, t)
    if data is None:
        return
    if not data["reasons"]:
        await query.answer(t("refusal.empty_reasons"), show_alert=True)
        return
    if await perform(
        query,
        services,
        person,
        t,
        callback_data.incident,
        cmd.Review(
            draft_id=callback_data.draft,
            approve=False,
            reasons=tuple(ReturnReason(r) for r in data["reasons"]),
            comment=data.get("comment"),
        ),
    ):
        await state.clear()
        await tell_done(query, t("done.returned", id=callback_data.incident))
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)
