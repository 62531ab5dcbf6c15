"""The curator and deputies: route, re-route, review, close, reopen, importance, limits.

One router per job (routing, review, card actions); `router` includes them, then the
catch-all for a text a step did not expect.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import Message

from handlers.common import HasRole, say
from handlers.context import Services
from handlers.curator import card_actions, dismissal, limits, review, routing
from handlers.curator.states import AskCurator
from workflow.roles import CURATOR_ROLES

# A router's own handlers run before its sub-routers', so the catch-all is a sub-router too,
# included last; each sub-router carries the role filter (a parent's does not pass down).
unexpected = Router(name=__name__ + ".unexpected")
unexpected.message.filter(HasRole(*CURATOR_ROLES))

router = Router(name=__name__)
router.include_routers(
    routing.router,
    review.router,
    card_actions.router,
    limits.router,
    dismissal.router,
    unexpected,
)


@unexpected.message(AskCurator.topic_location)
@unexpected.message(AskCurator.reopen_comment)
@unexpected.message(AskCurator.stage_limits)
@unexpected.message(AskCurator.return_comment)
@unexpected.message(AskCurator.duplicate_of)
@unexpected.message(AskCurator.withdraw_comment)
async def text_expected(message: Message, services: Services, locale: str) -> None:
    await say(services, message, locale, "ask.text_expected")
