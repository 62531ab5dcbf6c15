"""Every press about an incident is checked at the press, before any handler asks for text.

A person who may not take the step (an executor of another organisation pressing «Не наше»,
a stale card, a forged button for an incident that does not exist) is told why at once, in
the press's answer, by the same guards the command itself runs (`IncidentService
.check_press`). Only the presses that pass reach the role's handlers.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, TelegramObject

from bot.services.incidents import NotRegistered, StepRefused, UnknownIncident
from bot.services.people_service import PersonView
from bot.views.callbacks import (
    Act,
    CardCb,
    CloseCb,
    LimitCb,
    OrgPickCb,
    PickOp,
    PublishCb,
    ReasonOp,
    ReturnCb,
)
from handlers.common import chat_of, refusal_text
from handlers.context import Handler, Services
from workflow import commands as cmd
from workflow.model import ReturnReason

log = logging.getLogger(__name__)

# What each card button asks the workflow for; None: it only shows the incident.
KIND_OF_ACT: dict[Act, type[cmd.Command] | None] = {
    Act.TAKE: cmd.Take,
    Act.DECLINE: cmd.Decline,
    Act.CLARIFY: cmd.AskClarification,
    Act.DRAFT: cmd.SubmitDraft,
    Act.INTERIM: cmd.SubmitInterim,
    Act.INFO: cmd.SubmitInfo,
    Act.PUBLISH: cmd.ConfirmPublication,
    Act.ROUTE: cmd.Route,
    Act.REROUTE: cmd.Reroute,
    Act.HIGH: cmd.SetImportance,
    Act.NORMAL: cmd.SetImportance,
    Act.CLOSE: cmd.CloseNoAnswer,
    Act.REOPEN: cmd.Reopen,
    Act.REVIEW: cmd.Review,
    Act.APPROVE: cmd.Review,
    Act.RETURN: cmd.Review,
    Act.PICK: cmd.PickConsolidator,
    Act.LIMITS: cmd.SetStageLimits,
    Act.DISMISS: cmd.Dismiss,
    Act.WITHDRAW: cmd.WithdrawOrganisation,
    Act.FULL_TEXT: None,
    Act.TIMELINE: None,
    Act.OPEN: None,
}
_DRAFT_ACTS = frozenset({Act.PUBLISH, Act.REVIEW, Act.APPROVE, Act.RETURN})

Question = tuple[int, type[cmd.Command] | None, int | None]  # incident, step, draft


def question(data: str) -> Question | None:
    """What a press asks, from its callback data; None: not about an incident's step (a
    guided step's own button, a cancel) or not ours at all (the fallback answers it)."""
    for parse in (_card, _publish, _return, _close, _pick, _limits):
        try:
            found = parse(data)
        except (ValueError, TypeError, KeyError):
            continue
        return found
    return None


def _card(data: str) -> Question | None:
    card = CardCb.unpack(data)
    draft = card.arg if card.act in _DRAFT_ACTS else None
    return card.incident, KIND_OF_ACT[card.act], draft


def _publish(data: str) -> Question | None:
    """«Опубликовать» under the approved text: only the publisher the guard names."""
    press = PublishCb.unpack(data)
    return press.incident, cmd.ConfirmPublication, press.draft


def _return(data: str) -> Question | None:
    press = ReturnCb.unpack(data)
    if press.op is ReasonOp.CANCEL:
        return None
    if press.op is ReasonOp.TOGGLE:
        ReturnReason(press.reason)  # malformed data: a ValueError, the fallback answers it
    return press.incident, cmd.Review, press.draft


def _close(data: str) -> Question | None:
    press = CloseCb.unpack(data)
    return (press.incident, cmd.CloseNoAnswer, None) if press.reason != "x" else None


def _pick(data: str) -> Question | None:
    press = OrgPickCb.unpack(data)
    return (press.incident, None, None) if press.op is not PickOp.CANCEL else None


def _limits(data: str) -> Question | None:
    return LimitCb.unpack(data).incident, cmd.SetStageLimits, None


class PressGate(BaseMiddleware):
    """After `IdentifyMiddleware`: a press that may not go on is answered here."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        asked = question(event.data or "")
        person: PersonView | None = data.get("person")
        if asked is None or person is None:
            return await handler(event, data)
        services: Services = data["services"]
        t = data["t"]
        incident_id, kind, draft_id = asked
        try:
            await services.incidents.check_press(incident_id, person.id, kind, draft_id=draft_id)
        except UnknownIncident:
            log.info("press on unknown incident %s by person %s", incident_id, person.id)
            await event.answer(t("error.incident_gone", id=incident_id), show_alert=True)
            return None
        except NotRegistered:
            await event.answer(t("stranger.not_registered", admins="—"), show_alert=True)
            return None
        except StepRefused as refused:
            await event.answer((await refusal_text(services, refused, t))[:200], show_alert=True)
            # What they pressed was out of date or not theirs: show them what is true.
            await services.incidents.refresh_card(incident_id, reply_chat=chat_of(event))
            return None
        return await handler(event, data)
