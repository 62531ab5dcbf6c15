"""Settings of the project's policy where the regulation is silent (`FAIR_MIN_*`,
`DISMISSAL_GROUNDS`): the fairness minimums of the clocks (docs/fair-clocks.md) and the
п.10 dismissal grounds offered to the curator. The п.19 consolidator's time is a timer
(`TIMER_CONSOLIDATION`, bot/settings/timers.py)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from bot.settings.timers import SECTION_CONFIG, OptionalDuration
from workflow.model import DismissalGround
from workflow.policy import Minimums, Policy


def _grounds(value: Any) -> Any:
    """`gratitude,spam` (in the order offered) or an already typed sequence."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _some(value: tuple[DismissalGround, ...]) -> tuple[DismissalGround, ...]:
    if not value:
        raise ValueError("name at least one ground: " + ", ".join(g.value for g in DismissalGround))
    return tuple(dict.fromkeys(value))


Grounds = Annotated[tuple[DismissalGround, ...], BeforeValidator(_grounds), AfterValidator(_some)]


def _minimum(name: str, clause: str) -> Any:
    return Field(
        None,
        alias=f"FAIR_MIN_{name.upper()}",
        description=f"{clause}: least working time from the step's start; unset: its own length",
    )


class RegulationSection(BaseModel):
    """The project's policy where the regulation is silent (DOMAIN.md)."""

    model_config = SECTION_CONFIG

    min_respond: OptionalDuration = _minimum("respond", "п.11/п.13")
    min_reroute: OptionalDuration = _minimum("reroute", "п.11")
    min_draft: OptionalDuration = _minimum("draft", "п.12")
    min_info: OptionalDuration = _minimum("info", "п.19")
    min_review: OptionalDuration = _minimum("review", "п.14")
    min_resubmit: OptionalDuration = _minimum("resubmit", "п.15")
    min_publish: OptionalDuration = _minimum("publish", "п.16")
    dismissal_grounds: Grounds = Field(
        tuple(DismissalGround),
        alias="DISMISSAL_GROUNDS",
        description="п.10: grounds offered for 'no answer needed', comma-separated",
    )

    def apply(self, policy: Policy) -> Policy:
        return dataclasses.replace(
            policy,
            dismissal_grounds=self.dismissal_grounds,
            minimums=Minimums(
                respond=self.min_respond,
                reroute=self.min_reroute,
                draft=self.min_draft,
                info=self.min_info,
                review=self.min_review,
                resubmit=self.min_resubmit,
                publish=self.min_publish,
            ),
        )
