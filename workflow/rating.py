"""The rating of organisations, as the regional centre grades them.

Each organisation with at least `minimum` incidents gets a score out of 100: the share
answered in time, the speed of the answer and its quality (few returns under п.14), each
with its weight (configuration); and, when it keeps official pages, the pages' part (weeks
the quota was met, created/deleted pages reported on time: workflow/page_figures.py). An
organisation with nothing to judge on its pages is scored on the other parts alone.
Fewer incidents: not rated, listed apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workflow.report_figures import Figures


@dataclass(frozen=True, slots=True)
class RatingWeights:
    in_time: float = 0.5
    speed: float = 0.3
    quality: float = 0.2
    pages: float = 0.2  # the official pages' part (0: the rating of the incidents alone)
    minimum: int = 2  # incidents needed to be rated
    standard_hours: float = 3.0  # an answer at this mean time scores half the speed part

    def __post_init__(self) -> None:
        weights = (self.in_time, self.speed, self.quality)
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError("rating weights must be non-negative and not all zero")
        if self.pages < 0:
            raise ValueError("the pages' rating weight must be non-negative")
        if self.minimum < 1:
            raise ValueError("the minimum number of incidents to be rated is at least 1")
        if self.standard_hours <= 0:
            raise ValueError("the standard answer time must be positive")


def score(figures: Figures, weights: RatingWeights, pages: float | None = None) -> float:
    """`pages`: the organisation's page part (0…1), None when it has nothing to judge there
    (no pages): then the part and its weight are left out, not counted as zero."""
    in_time = figures.in_time_share or 0.0
    if figures.mean_hours is None:
        speed = 0.0
    else:
        speed = min(1.0, max(0.0, 1 - figures.mean_hours / (2 * weights.standard_hours)))
    quality = 1 / (1 + figures.returns_per_incident)
    total = weights.in_time + weights.speed + weights.quality
    value = weights.in_time * in_time + weights.speed * speed + weights.quality * quality
    if pages is not None and weights.pages > 0:
        total += weights.pages
        value += weights.pages * pages
    return round(100 * value / total, 1)


@dataclass(frozen=True, slots=True)
class RatingRow:
    place: int
    org_code: str
    score: float
    previous_place: int | None = None
    previous_score: float | None = None

    @property
    def place_change(self) -> int | None:
        """Places gained since the previous period (positive: moved up)."""
        if self.previous_place is None:
            return None
        return self.previous_place - self.place

    @property
    def score_change(self) -> float | None:
        if self.previous_score is None:
            return None
        return round(self.score - self.previous_score, 1)


@dataclass(frozen=True, slots=True)
class Rating:
    rows: tuple[RatingRow, ...]
    not_rated: tuple[str, ...]  # fewer incidents than the minimum


PageShares = Mapping[str, float | None]  # organisation code -> its page part


def _ranked(
    per_org: Mapping[str, Figures], weights: RatingWeights, pages: PageShares | None = None
) -> list[tuple[str, float]]:
    pages = pages or {}
    scored = [
        (code, score(fig, weights, pages.get(code)), fig)
        for code, fig in per_org.items()
        if fig.received >= weights.minimum
    ]
    scored.sort(
        key=lambda item: (-item[1], -(item[2].in_time_share or 0), -item[2].received, item[0])
    )
    return [(code, value) for code, value, _ in scored]


def rate(
    per_org: Mapping[str, Figures],
    weights: RatingWeights,
    previous: Mapping[str, Figures] | None = None,
    pages: PageShares | None = None,
    previous_pages: PageShares | None = None,
) -> Rating:
    ranked = _ranked(per_org, weights, pages)
    before = {
        code: (place, value)
        for place, (code, value) in enumerate(
            _ranked(previous or {}, weights, previous_pages), start=1
        )
    }
    rows = tuple(
        RatingRow(
            place,
            code,
            value,
            before.get(code, (None, None))[0],
            before.get(code, (None, None))[1],
        )
        for place, (code, value) in enumerate(ranked, start=1)
    )
    rated = {row.org_code for row in rows}
    not_rated = tuple(
        sorted(code for code, fig in per_org.items() if code not in rated and fig.received > 0)
    )
    return Rating(rows, not_rated)
