"""Every history line, in both languages, in words: no enum value, no "None", no placeholder
dash, no catalogue key, durations in hours and minutes.

The incident state machine (test_state_machine.py) drives incidents through every step of
the registry; after each accepted step the whole history is rendered in Russian and in
English and checked. Every event kind in `EVENT_NAMES` must have been rendered, so a new
step cannot ship without its words.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from bot.i18n import LOCALES, Translator
from bot.services.read_models import DirectoryView, Names, TimelineModel
from bot.views.timeline import timeline_text
from bot.views.words import duration
from workflow import commands as cmd
from workflow.commands import EVENT_NAMES, Command, route
from workflow.effects import Actor, Event
from workflow.model import (
    AssignmentStatus,
    DeadlineKind,
    DraftKind,
    DraftStatus,
    Importance,
    Incident,
    IncidentStatus,
    NoAnswerReason,
    Party,
    ReturnReason,
    Source,
    StageLimits,
)
from workflow.policy import Publisher

from .conftest import ANSWER_TEXT, CURATOR, MSK, PARKS, ROADS, msk, russian_calendars
from .state_machine_strategies import ACTORS
from .test_state_machine import IncidentMachine

TRANSLATOR = Translator()
ORG_NAMES = {"roads": "Управление дорог", "parks": "Управление парков", "water": "Водоканал"}
PEOPLE = {actor.person_id: f"Сотрудник {actor.person_id}" for actor in ACTORS}
DIRECTORY = DirectoryView(
    names=Names(ORG_NAMES, PEOPLE),
    timezones={},
    calendars=russian_calendars(),
    centre_timezone="Europe/Moscow",
)
ENUMS = (
    Source,
    Importance,
    NoAnswerReason,
    ReturnReason,
    DraftKind,
    DraftStatus,
    DeadlineKind,
    AssignmentStatus,
    IncidentStatus,
    Party,
    Publisher,
)
RAW_VALUES = {member.value for enum in ENUMS for member in enum} | set(ORG_NAMES)
# In English many values are also plain words ("draft", "answer"): there only the codes
# that no English sentence contains count.
RAW_IN_ENGLISH = {value for value in RAW_VALUES if "_" in value} | {"vk", "ok"} | set(ORG_NAMES)
URL = re.compile(r"https?://\S+")
TAG = re.compile(r"<[^>]+>")
KEY = re.compile(r"\b[a-z_]+(?:\.[a-z_]+)+\b")  # an untranslated catalogue key
RENDERED: set[str] = set()  # event kinds rendered so far


def leaks(text: str, locale: str) -> list[str]:
    """What in a rendered history is not words of the reader's language."""
    plain = TAG.sub(" ", URL.sub(" ", text))
    found = [bad for bad in ("None", "—", "{", "}") if bad in plain]
    found += KEY.findall(plain)
    words = re.findall(r"[A-Za-z_]+", plain)
    if locale == "ru":  # Russian text has no Latin words at all
        found += words
    else:
        found += [word for word in words if word in RAW_IN_ENGLISH]
    return found


def history(incident: Incident, events: list[Event], now: datetime, locale: str) -> str:
    def t(key: str, /, **params: object) -> str:
        return TRANSLATOR.render(key, params, locale)

    return timeline_text(TimelineModel(incident, events, DIRECTORY), t, now, MSK)


class WordsMachine(IncidentMachine):
    def apply(self, command: Command, actor: Actor) -> None:
        before = len(self.events)
        super().apply(command, actor)
        if len(self.events) == before:
            return
        RENDERED.update(event.command for event in self.events)
        for locale in LOCALES:
            text = history(self.incident, self.events, self.now, locale)
            assert leaks(text, locale) == [], (locale, text)


def test_every_event_kind_reads_as_words_in_both_languages(flow_at) -> None:
    RENDERED.clear()
    run_state_machine_as_test(
        WordsMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=40,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    consolidated_with_an_interim_answer(flow_at)
    withdrawn_then_dismissed(flow_at)
    assert {"detect", *EVENT_NAMES} - RENDERED == set()


def withdrawn_then_dismissed(flow_at) -> None:
    """п.19's withdrawal of a silent organisation, then п.10's dismissal, taken on purpose."""
    flow = flow_at(msk(2026, 4, 28, 9, 0))
    flow.after(minutes=10).do(cmd.Route(("roads", "parks"), "Дороги", "центр"), CURATOR)
    flow.after(minutes=5).do(cmd.Take(), ROADS)
    flow.after(minutes=5).do(cmd.SubmitInfo("Сведения о ремонте."), ROADS)
    flow.after(minutes=5).do(cmd.WithdrawOrganisation("parks", "Не отвечает"), CURATOR)
    flow.after(minutes=5).do(cmd.Dismiss("gratitude"), CURATOR)
    for locale in LOCALES:
        text = history(flow.incident, flow.events, flow.now, locale)
        assert leaks(text, locale) == [], (locale, text)
    RENDERED.update(event.command for event in flow.events)


def consolidated_with_an_interim_answer(flow_at) -> None:
    """The steps random runs reach least often (п.18, п.19), taken on purpose."""
    flow = flow_at(msk(2026, 4, 27, 9, 0))
    flow.after(minutes=10).do(cmd.Route(("roads", "parks"), "Дороги", "центр"), CURATOR)
    flow.after(minutes=5).do(cmd.Take(), ROADS)
    flow.after(minutes=5).do(cmd.Take(), PARKS)
    flow.after(minutes=5).do(cmd.SubmitInfo("Сведения о ремонте."), PARKS)
    flow.after(minutes=5).do(cmd.SubmitInfo("Сведения о сроках."), ROADS)
    flow.after(minutes=5).do(cmd.PickConsolidator("roads"), CURATOR)
    flow.after(minutes=5).do(cmd.SubmitInterim(ANSWER_TEXT), ROADS)
    interim = flow.draft_id()
    flow.after(minutes=5).do(cmd.Review(interim, approve=True), CURATOR)
    flow.after(minutes=5).do(cmd.ConfirmPublication(interim, "https://vk.com/i"), ROADS)
    limits = StageLimits(review=timedelta(hours=2))
    flow.after(minutes=5).do(cmd.SetStageLimits(limits), CURATOR)
    for locale in LOCALES:
        text = history(flow.incident, flow.events, flow.now, locale)
        assert leaks(text, locale) == [], (locale, text)
    RENDERED.update(event.command for event in flow.events)


@pytest.mark.parametrize(
    ("minutes", "russian", "english"),
    [
        (540, "9 ч", "9 h"),
        (80, "1 ч 20 мин", "1 h 20 min"),
        (20, "20 мин", "20 min"),
        (0, "меньше минуты", "less than a minute"),
    ],
)
def test_durations_read_in_hours_and_minutes(minutes: int, russian: str, english: str) -> None:
    for locale, expected in (("ru", russian), ("en", english)):

        def t(key: str, /, _locale: str = locale, **params: object) -> str:
            return TRANSLATOR.render(key, params, _locale)

        assert duration(minutes, t) == expected


def test_a_late_deadline_in_the_history_reads_in_hours(flow_at) -> None:
    flow = flow_at(msk(2026, 4, 27, 9, 0))
    flow.at(msk(2026, 4, 28, 9, 0)).do(
        route, CURATOR, org_codes=["parks"], topic="Дороги", location="центр"
    )
    text = history(flow.incident, flow.events, flow.now, "ru")
    assert re.search(r"нарушен на \d+ ч( \d+ мин)? рабочего времени", text), text
    assert "раб. мин" not in text
