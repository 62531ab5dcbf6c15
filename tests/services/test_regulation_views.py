"""The words of the regulation's additions: an answer alert names who was late, the п.19
information carries its media, the card shows a dismissal and each organisation's
information, the timeline shows no raw codes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.i18n import Translator
from bot.services.read_models import DirectoryView, Names
from bot.views.card import render_card_text
from bot.views.renderer import OutboxRenderer
from tests.conftest import MOSCOW_OFFICE
from workflow.calendar import WorkingCalendar
from workflow.calendars import Calendars
from workflow.commands import Dismiss, Route, SubmitInfo, detect, registry
from workflow.effects import Actor
from workflow.model import Media, MediaKind, Post, Source
from workflow.policy import Policy
from workflow.roles import Role

MSK = ZoneInfo("Europe/Moscow")
START = datetime(2026, 4, 27, 9, 0, tzinfo=MSK)
CURATOR = Actor(1, frozenset({Role.CURATOR}))
PARKS = Actor(20, frozenset({Role.EXECUTOR}), "parks")
NAMES = Names({"parks": "Управление благоустройства", "roads": "Управление дорог"}, {20: "Садова"})


@pytest.fixture
def directory() -> DirectoryView:
    centre = WorkingCalendar.russian("Europe/Moscow")
    return DirectoryView(NAMES, {}, Calendars(centre=centre), "Europe/Moscow")


def renderer() -> OutboxRenderer:
    return OutboxRenderer(Translator(), ManualClock(START), Policy(), MOSCOW_OFFICE)


@pytest.mark.parametrize(
    ("locale", "words"),
    [("ru", "направлено куратором с опозданием на 40 мин"), ("en", "routed by the curator 40")],
)
def test_the_answer_alert_names_the_late_step(directory, locale, words) -> None:
    params = {
        "kind": "answer",
        "due_at": "2026-04-27T09:00:00+00:00",
        "overdue_minutes": 5,
        "late_steps": [{"kind": "route", "party": "centre", "org_code": None, "minutes": 40}],
    }
    rendered = renderer().message(directory, "deadline.overdue", params, locale, 7)
    assert words in rendered.text
    assert "late_steps" not in rendered.text and "route" not in rendered.text.split("routed")[0]


def test_forwarded_information_goes_with_its_media(directory) -> None:
    params = {
        "org_code": "parks",
        "draft_id": 2,
        "text": "Сквер убираем по четвергам",
        "media": [{"kind": "photo", "file_id": "AgAD-1", "caption": None}],
    }
    rendered = renderer().message(directory, "info.forwarded", params, "ru", 7)
    assert "Сквер убираем по четвергам" in rendered.text
    assert "Управление благоустройства" in rendered.text
    assert [(m.kind, m.file_id) for m in rendered.media] == [(MediaKind.PHOTO, "AgAD-1")]


def test_the_card_shows_each_organisations_information_and_a_dismissal(directory) -> None:
    policy, calendars = Policy(), directory.calendars
    incident = detect(
        Post(Source.VK, "https://vk.com/w", "Яма"), START, "normal", 7, policy, calendars
    ).incident
    now = START.replace(hour=9, minute=20)
    route = Route(("parks", "roads"), "Дороги", "ул. Ленина")
    incident = registry.apply(route, incident, CURATOR, now, policy, calendars).incident
    info = SubmitInfo("Сквер убираем", (Media(MediaKind.PHOTO, "AgAD-1"),))
    incident = registry.apply(
        info, incident, PARKS, now.replace(minute=40), policy, calendars
    ).incident
    t = Translator()

    def say(key: str, /, **values: object) -> str:
        return t.render(key, values, "ru")

    text, _ = render_card_text(incident, NAMES, now, MSK, say)
    assert "информация получена 27.04 09:40 (вложений: 1)" in text
    assert "информация ожидается до" in text  # roads, still silent

    incident = registry.apply(
        Dismiss("duplicate", 3), incident, CURATOR, now, policy, calendars
    ).incident
    text, _ = render_card_text(incident, NAMES, now, MSK, say)
    assert "Не требует ответа (п.10): повтор инцидента №3" in text


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_the_history_of_dismissal_withdrawal_and_a_late_answer_has_no_raw_codes(
    directory, locale
) -> None:
    from bot.services.read_models import TimelineModel
    from bot.views.timeline import timeline_text
    from workflow.commands import (
        ConfirmPublication,
        PickConsolidator,
        Reopen,
        Review,
        SubmitDraft,
        Take,
        WithdrawOrganisation,
    )

    policy, calendars = Policy(), directory.calendars
    post = Post(Source.VK, "https://vk.com/w", "Яма")
    outcome = detect(post, START, "normal", 7, policy, calendars)
    incident, events = outcome.incident, list(outcome.events)
    steps = [
        (Dismiss("duplicate", 3), CURATOR, 5),
        (Reopen("Автор уточнил"), CURATOR, 10),
        (Route(("parks", "roads"), "Дороги", "ул. Ленина"), CURATOR, 165),  # 11:45
        (Take(), PARKS, 170),
        (SubmitInfo("Сквер убираем"), PARKS, 175),
        (WithdrawOrganisation("roads", "Молчат"), CURATOR, 180),
        (PickConsolidator("parks"), CURATOR, 181),
        (SubmitDraft("Здравствуйте! Уберём."), PARKS, 190),
        (Review(2, approve=True), CURATOR, 195),
        (ConfirmPublication(2, "https://vk.com/a"), PARKS, 300),
    ]
    for command, actor, minutes in steps:
        at = START + timedelta(minutes=minutes)
        outcome = registry.apply(command, incident, actor, at, policy, calendars)
        incident, events = outcome.incident, [*events, *outcome.events]
    t = Translator()

    def say(key: str, /, **values: object) -> str:
        return t.render(key, values, locale)

    model = TimelineModel(incident, events, directory)
    text = timeline_text(model, say, START + timedelta(hours=6), MSK)

    for raw in ("duplicate", "withdraw_organisation", "late_step", "route", "None", "timeline."):
        assert raw not in text.replace("routed", ""), (raw, text)
    assert ("повтор инцидента №3" if locale == "ru" else "repeats incident #3") in text
    late = "направлено куратором с опозданием" if locale == "ru" else "routed by the curator"
    assert late in text
