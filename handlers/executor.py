"""Executors: take an incident, say "not ours", ask a clarification, send drafts.

Publishing the approved text is the publisher's, whoever the policy names (handlers/publication.py).

A draft is composed in a guided step: press the button (or reply to the card), send text,
photos, videos, documents or an album, then press «Send». Nothing reaches the database
until then, so an abandoned step leaves nothing half-written; /cancel or the button drops
it, and pressing the draft button again resumes it.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.services.people_service import PersonView
from bot.views.callbacks import Act, CardCb, FlowCb, FlowOp
from bot.views.keyboard import KeyboardSpec, button, cancel_button
from handlers.common import HasRole, Translate, ask_for_text, perform, say, tell_done
from handlers.context import Services
from workflow import commands as cmd
from workflow.model import DraftKind, Media, MediaKind
from workflow.roles import Role

router = Router(name=__name__)
router.message.filter(HasRole(Role.EXECUTOR))
router.callback_query.filter(HasRole(Role.EXECUTOR))

DRAFT_KINDS = {
    Act.DRAFT: DraftKind.ANSWER,
    Act.INTERIM: DraftKind.INTERIM,
    Act.CLARIFY: DraftKind.CLARIFICATION,
    Act.INFO: DraftKind.INFO,
}
MAX_MEDIA = 10  # an album holds at most ten items
MAX_TEXT = 4000
SENT_DRAFT = "sent_draft"  # kept after «Send»: a late press on an older note is told it went


class Compose(StatesGroup):
    collecting = State()


class AskExecutor(StatesGroup):
    decline_comment = State()


def _flow_keyboard() -> KeyboardSpec:
    return [[button(FlowCb(op=FlowOp.SEND).pack(), key="button.send"), cancel_button()]]


@router.callback_query(CardCb.filter(F.act == Act.TAKE))
async def take(
    query: CallbackQuery,
    callback_data: CardCb,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    if await perform(query, services, person, t, callback_data.incident, cmd.Take()):
        await tell_done(query, t("done.taken", id=callback_data.incident))


@router.callback_query(CardCb.filter(F.act.in_(set(DRAFT_KINDS))))
async def start_draft(
    query: CallbackQuery,
    callback_data: CardCb,
    state: FSMContext,
    services: Services,
    locale: str,
) -> None:
    kind = DRAFT_KINDS[callback_data.act]
    data = await state.get_data()
    resuming = (
        await state.get_state() == Compose.collecting.state
        and data.get("incident") == callback_data.incident
        and data.get("kind") == kind.value
    )
    if not resuming:
        await state.set_state(Compose.collecting)
        await state.set_data(
            {"incident": callback_data.incident, "kind": kind.value, "text": "", "media": []}
        )
    await query.answer()
    key = "compose.resume" if resuming else "compose.start"
    await say(
        services,
        query,
        locale,
        key,
        keyboard=_flow_keyboard(),
        id=callback_data.incident,
        kind=kind.value,
    )


def _media_of(message: Message) -> Media | None:
    if message.photo:
        return Media(MediaKind.PHOTO, message.photo[-1].file_id)
    if message.video:
        return Media(MediaKind.VIDEO, message.video.file_id)
    if message.document:
        return Media(MediaKind.DOCUMENT, message.document.file_id)
    return None


@router.message(Compose.collecting)
async def collect(message: Message, state: FSMContext, services: Services, locale: str) -> None:
    data = await state.get_data()
    media = _media_of(message)
    text = message.text or message.caption or ""
    if media is None and not message.text:
        await say(services, message, locale, "compose.unsupported")
        return
    if media is not None:
        if len(data["media"]) >= MAX_MEDIA:
            await say(services, message, locale, "compose.too_many_media", limit=MAX_MEDIA)
            return
        data["media"].append([media.kind.value, media.file_id])
    if text:
        combined = (data["text"] + "\n" + text).strip() if data["text"] else text
        if len(combined) > MAX_TEXT:
            await say(services, message, locale, "compose.too_long", limit=MAX_TEXT)
            return
        data["text"] = combined
    await state.set_data(data)
    if message.media_group_id is None or media is None:  # one note per album would be noise
        await say(
            services,
            message,
            locale,
            "compose.collected",
            keyboard=_flow_keyboard(),
            chars=len(data["text"]),
            media=len(data["media"]),
        )


@router.callback_query(Compose.collecting, FlowCb.filter(F.op == FlowOp.SEND))
async def send_draft(
    query: CallbackQuery,
    state: FSMContext,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    data = await state.get_data()
    media = [Media(MediaKind(kind), file_id) for kind, file_id in data["media"]]
    outcome = await perform(
        query,
        services,
        person,
        t,
        data["incident"],
        cmd.draft_command(DraftKind(data["kind"]), data["text"], tuple(media)),
    )
    if outcome is None:
        return  # the step stays open: the executor can fix the text and send again
    await state.set_state(None)
    await state.set_data({SENT_DRAFT: data["incident"]})
    await tell_done(query, t("done.draft_sent", id=data["incident"]))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


@router.message(F.reply_to_message, F.reply_to_message.from_user.is_bot)
async def reply_to_card(
    message: Message, state: FSMContext, services: Services, locale: str
) -> None:
    """A reply to the bot's card starts a draft for that incident with what was sent."""
    reply = message.reply_to_message
    if reply is None:
        return
    incident_id = await services.lookups.incident_of_card(message.chat.id, reply.message_id)
    if incident_id is None:
        return
    await state.set_state(Compose.collecting)
    await state.set_data(
        {"incident": incident_id, "kind": DraftKind.ANSWER.value, "text": "", "media": []}
    )
    await collect(message, state, services, locale)


@router.callback_query(CardCb.filter(F.act == Act.DECLINE))
async def ask_decline(
    query: CallbackQuery,
    callback_data: CardCb,
    state: FSMContext,
    services: Services,
    locale: str,
) -> None:
    prompt = ("ask.decline_comment", {"id": callback_data.incident})
    await ask_for_text(
        query,
        state,
        AskExecutor.decline_comment,
        services,
        locale,
        prompt,
        incident=callback_data.incident,
    )


@router.message(AskExecutor.decline_comment, F.text)
async def decline(
    message: Message,
    state: FSMContext,
    services: Services,
    person: PersonView,
    locale: str,
    t: Translate,
) -> None:
    data = await state.get_data()
    if await perform(
        message, services, person, t, data["incident"], cmd.Decline(message.text or "")
    ):
        await state.clear()
        await say(services, message, locale, "done.declined", id=data["incident"])


@router.message(AskExecutor.decline_comment)
async def text_expected(message: Message, services: Services, locale: str) -> None:
    await say(services, message, locale, "ask.text_expected")
