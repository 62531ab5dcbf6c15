"""Settings of the reports (issue 13): the rating's weights and its minimum."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from bot.settings.timers import SECTION_CONFIG
from workflow.rating import RatingWeights


class ReportsSection(BaseModel):
    model_config = SECTION_CONFIG

    weight_in_time: float = Field(
        0.5, alias="RATING_WEIGHT_IN_TIME", ge=0, description="weight of the share in time"
    )
    weight_speed: float = Field(
        0.3, alias="RATING_WEIGHT_SPEED", ge=0, description="weight of the mean answer time"
    )
    weight_quality: float = Field(
        0.2, alias="RATING_WEIGHT_QUALITY", ge=0, description="weight of few returns (п.14)"
    )
    weight_pages: float = Field(
        0.2, alias="RATING_WEIGHT_PAGES", ge=0, description="weight of the official pages"
    )
    minimum: int = Field(
        2, alias="RATING_MIN_INCIDENTS", ge=1, description="incidents needed to be rated"
    )

    @model_validator(mode="after")
    def _some_weight(self) -> ReportsSection:
        if self.weight_in_time + self.weight_speed + self.weight_quality <= 0:
            raise ValueError("at least one rating weight must be above zero")
        return self

    def weights(self) -> RatingWeights:
        return RatingWeights(
            in_time=self.weight_in_time,
            speed=self.weight_speed,
            quality=self.weight_quality,
            pages=self.weight_pages,
            minimum=self.minimum,
        )
