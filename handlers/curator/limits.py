"""п.18: after an interim answer the curator sets the lengths of the steps to the final one.

Asked with the steps' Russian names and a button each: a press moves the step to its next
common length (30 min … 24 h of working time, or "by the regulation"), «Подтвердить» sets
them. Typing works too: «согласование 90, размещение 120» (minutes; a step's name or the
start of it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.services.people_service import PersonView
from bot.views.callbacks import Act, CardCb, LimitCb, LimitOp
from bot.views.keyboard import KeyboardSpec, button, cancel_button, markup
from bot.views.words import duration
from handlers.common import HasRole, Translate, perform, say, tell_done
from handlers.context import Services
from handlers.curator.states import AskCurator
from workflow import commands as cmd
from workflow.commands.codec import STAGE_LIMIT_FIELDS
from workflow.model import StageLimits
from workflow.roles import CURATOR_ROLES

router = Router(name=__name__)
router.message.filter(HasRole(*CURATOR_ROLES))
router.callback_query.filter(HasRole(*CURATOR_ROLES))

COMMON_MINUTES = (30, 60, 120, 240, 480, 1440)  # what a press cycles through, then back
_PAIR = re.compile(r"([^\d=,;:\n]+?)\s*[=:]?\s*(\d+)")


def step_name(field: str, t: Translate) -> str:
    return t(f"stage.{field}")


def parse_stage_limits(text: str, t: Translate) -> dict[str, int] | None:
    """«согласование 90, размещение 120» (or `review=90`) → {field: minutes}; None if any
    part is not a step with a positive number of minutes."""
    found: dict[str, int] = {}
    rest = text
    for match in _PAIR.finditer(text):
        name, minutes = match.group(1).strip(" ,;").lower(), int(match.group(2))
        field = next(
            (
                f
                for f in STAGE_LIMIT_FIELDS
                if name == f or (name and step_name(f, t).lower().startswith(name))
            ),
            None,
        )
        if field is None or minutes <= 0:
            return None
        found[field] = minutes
        rest = rest.replace(match.group(0), "", 1)
    if rest.strip(" ,;\n") or not found:
        return None
    return found


def limits_of(chosen: Mapping[str, int]) -> StageLimits:
    return StageLimits(**{field: timedelta(minutes=m) for field, m in chosen.items()})


def _keyboard(incident_id: int, chosen: Mapping[str, int], t: Translate) -> KeyboardSpec:
    rows: KeyboardSpec = []
    for index, field in enumerate(STAGE_LIMIT_FIELDS):
        minutes = chosen.get(field)
        value = duration(minutes, t) if minutes else t("stage.by_regulation")
        data = LimitCb(incident=incident_id, op=LimitOp.NEXT, step=index).pack()
        rows.append([button(data, label=f"{step_name(field, t)}: {value}")])
    confirm = LimitCb(incident=incident_id, op=LimitOp.CONFIRM).pack()
    rows.append([button(confirm, key="button.confirm"), cancel_button()])
    return rows


def _fields(t: Translate) -> str:
    return ", ".join(step_name(field, t) for field in STAGE_LIMIT_FIELDS)


@router.callback_query(CardCb.filter(F.act == Act.LIMITS))
async def ask_limits(
    query: CallbackQuery,
    callback_data: CardCb,
    state: FSMContext,
    services: Services,
    locale: str,
    t: Translate,
) -> None:
    await state.set_state(AskCurator.stage_limits)
    await state.set_data({"incident": callback_data.incident, "chosen": {}})
    await query.answer()
    keyboard = _keyboard(callback_data.incident, {}, t)
    await say(
        services, query, locale, "ask.stage_limits", keyboard=keyboard, id=callback_data.incident
    )


@router.callback_query(AskCurator.stage_limits, LimitCb.filter(F.op == LimitOp.NEXT))
async def next_value(
    query: CallbackQuery, callback_data: LimitCb, state: FSMContext, t: Translate
) -> None:
    data = await state.get_data()
    if data.get("incident") != callback_data.incident or not (
        0 <= callback_data.step < len(STAGE_LIMIT_FIELDS)
    ):
        await query.answer(t("flow.stale"), show_alert=True)
        return
    chosen = dict(data.get("chosen", {}))
    field = STAGE_LIMIT_FIELDS[callback_data.step]
    cycle = (None, *COMMON_MINUTES)
    following = cycle[(cycle.index(chosen.get(field)) + 1) % len(cycle)]
    if following is None:
        chosen.pop(field, None)
    else:
        chosen[field] = following
    await state.update_data(chosen=chosen)
    await query.answer()
    if isinstance(query.message, Message):  # the pressed prompt changes in place, at once
        keyboard = _keyboard(callback_data.incident, chosen, t)
        await query.message.edit_reply_markup(reply_markup=markup(keyboard, t))


@router.callback_query(AskCurator.stage_limits, LimitCb.filter(F.op == LimitOp.CONFIRM))
async def confirm_limits(
    query: CallbackQuery,
    callback_data: LimitCb,
    state: FSMContext,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    data = await state.get_data()
    chosen = data.get("chosen") or {}
    if data.get("incident") != callback_data.incident:
        await query.answer(t("flow.stale"), show_alert=True)
        return
    if not chosen:
        await query.answer(t("ask.stage_limits_pick_one"), show_alert=True)
        return
    command = cmd.SetStageLimits(limits_of(chosen))
    if await perform(query, services, person, t, callback_data.incident, command):
        await state.clear()
        await tell_done(query, t("done.stage_limits", id=callback_data.incident))
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)


@router.message(AskCurator.stage_limits, F.text)
async def typed_limits(
    message: Message,
    state: FSMContext,
    services: Services,
    person: PersonView,
    locale: str,
    t: Translate,
) -> None:
    chosen = parse_stage_limits(message.text or "", t)
    if chosen is None:
        await say(services, message, locale, "ask.stage_limits_format", fields=_fields(t))
        return
    data = await state.get_data()
    command = cmd.SetStageLimits(limits_of(chosen))
    if await perform(message, services, person, t, data["incident"], command):
        await state.clear()
        await say(services, message, locale, "done.stage_limits", id=data["incident"])
