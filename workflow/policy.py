"""The regulation's timer lengths as one value (DOMAIN.md, "The timers").

Defaults are the values of Appendix 1 of resolution No. 1740; every length is configuration,
because regions and decrees differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from workflow.model import DismissalGround


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
    # п.19: how long the consolidator has between the last information and its draft's due
    # moment; the information clock ends this long before the consolidated draft is due.
    consolidation: timedelta = timedelta(minutes=30)
    # п.10: the grounds the curator may dismiss a post on, in the order they are offered.
    dismissal_grounds: tuple[DismissalGround, ...] = tuple(DismissalGround)
    # The project's fairness floors (docs/fair-clocks.md): a step's deadline is never earlier
    # than its start plus this; None is the step's own length under the regulation.
    minimums: Minimums = field(default_factory=lambda: Minimums())


@dataclass(frozen=True, slots=True)
class Minimums:
    """The least working time each party gets for a step, whatever happened before it.

    None: the length the step has when every earlier step is on time (docs/fair-clocks.md):
    the draft gets the answer's length less routing and the п.12 margin; the п.19 information
    that less the п.19 routing and the consolidation; the rest their own clause's length.
    """

    respond: timedelta | None = None  # п.11 / п.13
    reroute: timedelta | None = None  # п.11
    draft: timedelta | None = None  # п.12 (also the consolidated draft, at least `consolidation`)
    info: timedelta | None = None  # п.19
    review: timedelta | None = None  # п.14
    resubmit: timedelta | None = None  # п.15
    publish: timedelta | None = None  # п.16
