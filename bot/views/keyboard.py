"""Inline keyboards: the card's buttons, and the buttons of a guided step's prompt.

A step's prompt may travel through the outbox (so it waits its turn in the chat's queue),
so its keyboard is written as data — rows of `ButtonSpec` — and turned into Telegram's
markup in the reader's language when the row is sent (or at once, when a pressed message
is edited in place).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypedDict

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.views.callbacks import Act, CardCb, FlowCb, FlowOp
from bot.views.format import Translate
from workflow.model import Incident

LABEL_LIMIT = 60  # keeps long organisation names readable on a phone


class ButtonSpec(TypedDict):
    """One button as JSON: `l` a literal label (or prefix), `k` a catalogue key after it."""

    d: str  # packed callback data
    k: str
    l: str  # noqa: E741 - short keys: the spec is stored in every prompt's outbox row


KeyboardSpec = list[list[ButtonSpec]]


def button(data: str, *, key: str = "", label: str = "") -> ButtonSpec:
    return {"d": data, "k": key, "l": label}


def cancel_button() -> ButtonSpec:
    return button(FlowCb(op=FlowOp.CANCEL).pack(), key="button.cancel")


def markup(spec: Iterable[Sequence[ButtonSpec]], t: Translate) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=item["l"][:LABEL_LIMIT] + (t(item["k"]) if item["k"] else ""),
                callback_data=item["d"],
            )
            for item in row
        ]
        for row in spec
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def card_keyboard(
    incident: Incident, actions: list[tuple[Act, int]], t: Translate, *, shortened: bool
) -> InlineKeyboardMarkup | None:
    buttons = [
        InlineKeyboardButton(
            text=t(f"button.{act.name.lower()}", id=arg),
            callback_data=CardCb(incident=incident.id, act=act, arg=arg).pack(),
        )
        for act, arg in actions
    ]
    if shortened:
        buttons.append(
            InlineKeyboardButton(
                text=t("button.full_text"),
                callback_data=CardCb(incident=incident.id, act=Act.FULL_TEXT).pack(),
            )
        )
    buttons.append(
        InlineKeyboardButton(
            text=t("button.timeline"),
            callback_data=CardCb(incident=incident.id, act=Act.TIMELINE).pack(),
        )
    )
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
