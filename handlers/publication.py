"""п.16 from the publisher's side: the approved text ready to copy, the press «Опубликовать»
(the bot publishes it where the incident was posted), and a link given by hand checked
against the incident's post."""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.services.incidents import NotRegistered, UnknownIncident
from bot.services.people_service import PersonView
from bot.services.publication import Pressed
from bot.views.callbacks import PublishCb
from bot.views.keyboard import button
from handlers.common import Translate, chat_of, say
from handlers.context import Services

router = Router(name=__name__)


async def show_approved_text(
    event: CallbackQuery, services: Services, locale: str, incident_id: int, draft_id: int
) -> None:
    """Before the link is asked for: the approved text to copy with one tap, and the button
    that lets the bot publish it where it can."""
    if services.publication is None or chat_of(event) is None:
        return
    menu = await services.publication.menu(incident_id, draft_id)
    if menu is None:
        return
    keyboard = None
    if menu.bot_can_publish:
        data = PublishCb(incident=incident_id, draft=draft_id).pack()
        keyboard = [[button(data, key="publication.button")]]
    busy = menu.job_state in ("pending", "sending", "posted")  # the bot is on it
    key = "publication.copy_text_job" if busy else "publication.copy_text"
    await say(
        services,
        event,
        locale,
        key,
        keyboard=keyboard,
        id=incident_id,
        text=menu.text,
        count=menu.media,
    )


async def link_refused(
    message: Message, services: Services, locale: str, incident_id: int, draft_id: int, url: str
) -> bool:
    """True (and the person told why) when this link cannot prove the publication."""
    if services.publication is None:
        return False
    problem = await services.publication.check_manual(incident_id, draft_id, url)
    if problem is None:
        return False
    await say(services, message, locale, problem, id=incident_id)
    return True


@router.callback_query(PublishCb.filter())
async def publish_pressed(
    query: CallbackQuery,
    callback_data: PublishCb,
    state: FSMContext,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    if services.publication is None:
        await query.answer(t("publication.pressed.by_hand"), show_alert=True)
        return
    try:
        pressed = await services.publication.press(
            callback_data.incident, person.id, callback_data.draft
        )
    except UnknownIncident:
        await query.answer(t("error.incident_gone", id=callback_data.incident), show_alert=True)
        return
    except NotRegistered:
        await query.answer(t("stranger.not_registered", admins="—"), show_alert=True)
        return
    queued = pressed is Pressed.QUEUED
    if queued:
        await state.clear()  # no link to wait for: the bot records it
    await query.answer(
        t(f"publication.pressed.{pressed.value}", id=callback_data.incident), show_alert=not queued
    )
    if queued and isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
