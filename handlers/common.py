"""What every registered person can do, and the one way handlers run a workflow command."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandStart, Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.services.incidents import NotRegistered, StepRefused, UnknownIncident
from bot.services.people_service import PersonView
from bot.views.callbacks import Act, CardCb, FlowCb, FlowOp
from bot.views.format import e, local_time
from bot.views.keyboard import KeyboardSpec, cancel_button
from bot.views.timeline import timeline_text
from handlers.context import Services
from workflow.commands import Command as WorkflowCommand
from workflow.effects import Outcome
from workflow.errors import RefusalCode
from workflow.roles import Role

log = logging.getLogger(__name__)

router = Router(name=__name__)
# Before every role's router: /cancel must win over a guided step that collects text.
early = Router(name=__name__ + ".early")

Translate = Callable[..., str]


class HasRole(Filter):
    """The role filter that sits on each role's router."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, event: TelegramObject, person: PersonView | None = None) -> bool:
        return person is not None and bool(person.roles & self.roles)


async def refusal_text(services: Services, refused: StepRefused, t: Translate) -> str:
    text = t(f"refusal.{refused.code.value}", **_safe(refused.refusal.params))
    event = refused.last_event
    if refused.code in _NOT_YOURS:
        return text  # who did what on an incident that is not theirs is not their business
    if event is not None and event.actor_id is not None:
        who = await services.people.person(event.actor_id)
        text += "\n" + t(
            "refusal.last_event",
            who=who.full_name if who else f"#{event.actor_id}",
            what=t(f"event.{event.command}"),
            at=local_time(event.at, services.centre_tz()),
        )
    return text


_NOT_YOURS = frozenset({RefusalCode.NOT_ASSIGNED, RefusalCode.NOT_ALLOWED})


def _safe(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if isinstance(value, str | int)}


async def perform(
    event: CallbackQuery | Message,
    services: Services,
    person: PersonView,
    t: Translate,
    incident_id: int,
    command: WorkflowCommand,
) -> Outcome | None:
    """Run one command; on refusal tell the person why (and who acted first) and refresh the
    card, so that what they see is what is true. None when it did not happen."""
    chat_id = _chat_of(event)
    try:
        outcome = await services.incidents.perform(
            incident_id, person.id, command, reply_chat=chat_id
        )
    except StepRefused as refused:
        await _tell(event, await refusal_text(services, refused, t))
        await services.incidents.refresh_card(incident_id, reply_chat=chat_id)
        return None
    except UnknownIncident:
        await _tell(event, t("error.incident_gone", id=incident_id))
        return None
    except NotRegistered:
        await _tell(event, t("stranger.not_registered", admins="—"))
        return None
    return outcome


def _chat_of(event: CallbackQuery | Message) -> int | None:
    message = event.message if isinstance(event, CallbackQuery) else event
    return message.chat.id if message is not None else None


async def _tell(event: CallbackQuery | Message, text: str) -> None:
    if isinstance(event, CallbackQuery):
        await event.answer(text[:200], show_alert=True)
    else:
        await event.answer(text)


def chat_of(event: CallbackQuery | Message) -> int | None:
    """The chat a step happens in (None for a press on a message Telegram no longer has)."""
    if isinstance(event, CallbackQuery):
        return event.message.chat.id if isinstance(event.message, Message) else None
    return event.chat.id


async def say(
    services: Services,
    event: CallbackQuery | Message,
    locale: str,
    key: str,
    /,
    *,
    keyboard: KeyboardSpec | None = None,
    **params: Any,
) -> None:
    """A reply that is part of a step, through the outbox (it waits its turn in the chat)."""
    chat_id = chat_of(event)
    if chat_id is not None:
        await services.replies.send(chat_id, key, locale=locale, params=params, keyboard=keyboard)


async def ask_for_text(
    query: CallbackQuery,
    state: FSMContext,
    step: State,
    services: Services,
    locale: str,
    prompt: tuple[str, dict[str, Any]],
    **data: Any,
) -> None:
    """Start a guided step that waits for one text message (a comment, a link, …)."""
    await state.set_state(step)
    await state.set_data(data)
    await query.answer()
    key, params = prompt
    await say(services, query, locale, key, keyboard=[[cancel_button()]], **params)


async def tell_done(event: CallbackQuery | Message, text: str) -> None:
    if isinstance(event, CallbackQuery):
        await event.answer(text[:200])
    else:
        await event.answer(text)


# --- commands for everyone --------------------------------------------------------------------


@router.message(CommandStart(deep_link=False), F.text == "/start")
@router.message(Command("help"))
async def help_command(message: Message, person: PersonView, t: Translate) -> None:
    roles = ", ".join(t(f"role.{role.value}") for role in sorted(person.roles))
    await message.answer(t("help.text", name=person.full_name, roles=roles or "—"))


@early.message(Command("cancel"))
async def cancel_command(message: Message, state: FSMContext, t: Translate) -> None:
    had = await state.get_state()
    await state.clear()
    await message.answer(t("flow.cancelled" if had else "flow.nothing_to_cancel"))


@router.callback_query(FlowCb.filter(F.op == FlowOp.CANCEL))
async def cancel_pressed(query: CallbackQuery, state: FSMContext, t: Translate) -> None:
    await state.clear()
    await query.answer(t("flow.cancelled"))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


@router.callback_query(CardCb.filter(F.act == Act.FULL_TEXT))
async def full_text(
    query: CallbackQuery, callback_data: CardCb, services: Services, t: Translate
) -> None:
    try:
        incident = await services.incidents.get(callback_data.incident)
    except UnknownIncident:
        await query.answer(t("error.incident_gone", id=callback_data.incident), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        text = incident.post.text
        for start in range(0, len(text), 3500):
            await query.message.answer(
                t("card.full_text", id=incident.id, text=e(text[start : start + 3500]))
            )


@router.callback_query(CardCb.filter(F.act == Act.OPEN))
async def open_card(
    query: CallbackQuery, callback_data: CardCb, services: Services, t: Translate
) -> None:
    """A flood summary's button: this incident's card now, ahead of the chat's queue."""
    if not isinstance(query.message, Message):
        await query.answer()
        return
    try:
        await services.incidents.show_card(callback_data.incident, query.message.chat.id)
    except UnknownIncident:
        await query.answer(t("error.incident_gone", id=callback_data.incident), show_alert=True)
        return
    await query.answer()


@router.callback_query(CardCb.filter(F.act == Act.TIMELINE))
async def timeline_button(
    query: CallbackQuery, callback_data: CardCb, services: Services, t: Translate
) -> None:
    model = await services.reports.timeline(callback_data.incident)
    if model is None:
        text = t("error.incident_gone", id=callback_data.incident)
    else:
        text = timeline_text(model, t, services.clock.now(), services.centre_tz())
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(text)
