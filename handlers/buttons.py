"""The card's buttons for each audience, as the core answers (handed to the views' renderer
by the composition root, bot/app.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.services.addressing import Audience
from bot.views.callbacks import Act
from handlers.availability import available, curator_actor, executor_actor
from workflow.calendars import Calendars
from workflow.effects import Actor
from workflow.model import Incident
from workflow.policy import Policy


def card_buttons(
    incident: Incident,
    audience: Audience,
    org_code: str | None,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    org_codes: Sequence[str],
) -> list[tuple[Act, int]]:
    if audience is Audience.VIEWER:
        actor = Actor(person_id=0)  # no roles: the core accepts no step from it
    elif audience is Audience.CENTRE or not org_code:
        actor = curator_actor()
    else:
        actor = executor_actor(incident, org_code)
    return available(incident, actor, now, policy, calendars, org_codes)
