"""Why an answer is late, in words: the steps that overran (workflow/fairness.py).

"направлено куратором с опозданием на 40 мин" — one phrase per step, from the catalogue
(`late.<deadline kind>`), with the organisation's name and the working time it overran by.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.services.read_models import Names
from bot.views.format import Translate, e
from bot.views.words import duration


def late_step_text(step: Mapping[str, Any], names: Names, t: Translate) -> str:
    org = step.get("org_code")
    return t(
        f"late.{step.get('kind')}",
        org=e(names.org(str(org))) if org else "—",
        late=duration(int(step.get("minutes") or 0), t),
    )


def late_steps_text(steps: Sequence[Mapping[str, Any]], names: Names, t: Translate) -> str:
    """The whole cause line of an alert; empty when no step overran (the answer alone)."""
    causes = [late_step_text(step, names, t) for step in steps if isinstance(step, Mapping)]
    if not causes:
        return ""
    return t("late.causes", causes="; ".join(causes))
