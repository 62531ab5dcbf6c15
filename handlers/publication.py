"""п.16 from the publisher's side: the approved text ready to copy, the press «Опубликовать»
(the bot publishes it where the incident was posted), and a link given by hand checked
against the incident's post.

One path for every publisher: the executor holding the incident (`PUBLISHER=executor`) or
the curators and their deputies (`PUBLISHER=centre`). No role filter here: the press gate
(handlers/gate.py) asks the registry's ConfirmPublication guard, which knows the publisher,
and refuses anyone else at the press; the link is checked by the same guard when recorded.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.services.incidents import NotRegistered, UnknownIncident
from bot.services.people_service import PersonView
from bot.services.publication import Pressed
from bot.views.callbacks import Act, CardCb, PublishCb
from bot.views.keyboard import button
from handlers.common import HasRole, Translate, ask_for_text, chat_of, perform, say
from handlers.context import Services
from workflow import commands as cmd
from workflow.roles import Role

router = Router(name=__name__)
# Any registered person: which of them may publish is the guard's decision, at the press.
router.message.filter(HasRole(*Role))
router.callback_query.filter(HasRole(*Role))


class AskPublisher(StatesGroup):
    # The stored name of the step from when only executors published: a step begun before
    # an upgrade goes on after it (steps survive restarts, bot/fsm_storage.py).
    url = State("publication_url", group_name="AskExecutor")


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


@router.callback_query(CardCb.filter(F.act == Act.PUBLISH))
async def ask_publication(
    query: CallbackQuery,
    callback_data: CardCb,
    state: FSMContext,
    services: Services,
    locale: str,
) -> None:
    """The card's publication button (the gate let it through: this person publishes)."""
    prompt = ("ask.publication_url", {"id": callback_data.incident})
    await show_approved_text(query, services, locale, callback_data.incident, callback_data.arg)
    await ask_for_text(
        query,
        state,
        AskPublisher.url,
        services,
        locale,
        prompt,
        incident=callback_data.incident,
        draft=callback_data.arg,
    )


# This router runs before /cancel's (handlers/common.py `early`): a command is not a link.
@router.message(AskPublisher.url, F.text, ~F.text.startswith("/"))
async def confirm_publication(
    message: Message,
    state: FSMContext,
    services: Services,
    person: PersonView,
    locale: str,
    t: Translate,
) -> None:
    data = await state.get_data()
    url = (message.text or "").strip()
    if not url.startswith(("http://", "https://")) or " " in url:
        await say(services, message, locale, "ask.bad_url")
        return
    if await link_refused(message, services, locale, data["incident"], data["draft"], url):
        return
    if await perform(
        message,
        services,
        person,
        t,
        data["incident"],
        cmd.ConfirmPublication(draft_id=data["draft"], url=url),
    ):
        await state.clear()
        await say(services, message, locale, "done.published", id=data["incident"])


@router.message(AskPublisher.url, ~F.text)
async def text_expected(message: Message, services: Services, locale: str) -> None:
    await say(services, message, locale, "ask.text_expected")


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
