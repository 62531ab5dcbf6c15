"""The cast, the moments and the hypothesis strategies the incident state machine draws from."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st

from workflow.calendars import Calendars
from workflow.effects import Actor
from workflow.model import (
    Media,
    MediaKind,
)

from .conftest import (
    ANSWER_TEXT,
    CURATOR,
    DEPUTY,
    PARKS,
    ROADS,
    ROADS_2,
    ROADS_STAND_IN,
    STRANGER,
    WATER,
    msk,
    nsk,
    russian_calendars,
)

PARKS_STAND_IN = Actor(
    21, frozenset(), "parks", frozenset({PARKS.person_id})
)  # no role of their own

ACTORS = [CURATOR, DEPUTY, ROADS, ROADS_2, ROADS_STAND_IN, PARKS, PARKS_STAND_IN, WATER, STRANGER]

ORGS = ["roads", "parks", "water"]

STARTS = [
    msk(2026, 4, 24, 16, 30),  # Friday afternoon
    msk(2026, 4, 30, 15, 0),  # a shortened day before the May holidays
    nsk(2026, 6, 11, 16, 0),  # shortened, then 12 June off
    msk(2026, 11, 2, 9, 0),  # before 3 (short) and 4 November (off)
    msk(2026, 5, 9, 12, 0),  # a day off
]

MINUTES = [0, 1, 5, 20, 29, 31, 45, 90, 240, 60 * 20, 60 * 24 * 3]

EXECUTORS = [ROADS, ROADS_2, ROADS_STAND_IN, PARKS, PARKS_STAND_IN, WATER]

# Mostly the people who may act, sometimes anyone: refusals are tested, progress still made.
actors = st.sampled_from(ACTORS)

curators = st.sampled_from([CURATOR, CURATOR, DEPUTY]) | actors

executors = st.sampled_from(EXECUTORS) | st.sampled_from(EXECUTORS) | actors

publishers = st.sampled_from([*EXECUTORS, CURATOR]) | actors

org_codes = st.none() | st.sampled_from(ORGS)

texts = st.sampled_from([ANSWER_TEXT, ANSWER_TEXT, "Ответ подготовлен.", "", "Fixed"])

lengths = st.none() | st.sampled_from([timedelta(minutes=15), timedelta(hours=4)])

media = st.lists(
    st.builds(Media, st.sampled_from(list(MediaKind)), st.sampled_from(["AgAD", " "])),
    max_size=2,
).map(tuple)

_CALENDARS: Calendars | None = None


def calendars() -> Calendars:
    global _CALENDARS
    if _CALENDARS is None:
        _CALENDARS = russian_calendars()
    return _CALENDARS
