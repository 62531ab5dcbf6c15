"""The regulation's timer lengths as one value (DOMAIN.md, "The timers").

Defaults are the values of Appendix 1 of resolution No. 1740; every length is configuration,
because regions and decrees differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Publisher(StrEnum):
    """Who publishes the approved answer where the incident was posted (п.16)."""

    EXECUTOR = "executor"
    CENTRE = "centre"


@dataclass(frozen=True, slots=True)
class Policy:
    answer: timedelta = timedelta(hours=3)  # п.9
    answer_high_importance: timedelta = timedelta(hours=2)  # п.17
    route: timedelta = timedelta(hours=1)  # п.10
    not_ours: timedelta = timedelta(minutes=30)  # п.11, executor
    reroute: timedelta = timedelta(minutes=30)  # п.11, curator
    clarification: timedelta = timedelta(minutes=30)  # п.13
    draft_margin: timedelta = timedelta(minutes=30)  # п.12: draft due this long before п.9
    review: timedelta = timedelta(minutes=30)  # п.14
    resubmit: timedelta = timedelta(minutes=30)  # п.15
    publish: timedelta = timedelta(minutes=30)  # п.16
    final_answer_days: int = 5  # п.18, working days after the interim answer
    multi_route: timedelta = timedelta(minutes=30)  # п.19, route to all organisations
    multi_info: timedelta = timedelta(hours=2)  # п.19, each organisation's information
    publisher: Publisher = Publisher.EXECUTOR
