"""Alerts and notices read as words: durations in hours and minutes, "срок сейчас" at the
due moment, no phrase for a value the message does not have (no stray dash)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.i18n import Translator
from bot.services.read_models import DirectoryView, Names
from bot.views.renderer import OutboxRenderer
from tests.conftest import MOSCOW_OFFICE
from workflow.calendar import WorkingCalendar
from workflow.calendars import Calendars
from workflow.policy import Policy

NOW = datetime(2026, 4, 29, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
DIRECTORY = DirectoryView(
    names=Names({"roads": "Управление дорог"}, {}),
    timezones={},
    calendars=Calendars(WorkingCalendar.always()),
    centre_timezone="Europe/Moscow",
)
DUE = "2026-04-29T09:00:00+00:00"


def render(key: str, locale: str = "ru", **params: object) -> str:
    renderer = OutboxRenderer(Translator(), ManualClock(NOW), Policy(), MOSCOW_OFFICE)
    return renderer.message(DIRECTORY, key, params, locale, 7).text


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_an_overdue_alert_reads_in_hours_and_names_no_missing_organisation(locale: str) -> None:
    text = render(
        "deadline.overdue", locale, kind="route", org_code=None, due_at=DUE, overdue_minutes=540
    )
    assert ("9 ч" if locale == "ru" else "9 h") in text
    assert "—" not in text and "мин." not in text and "()" not in text


def test_an_alert_at_the_due_moment_says_due_now() -> None:
    text = render("deadline.overdue", kind="draft", org_code="roads", due_at=DUE, overdue_minutes=0)
    assert "Срок сейчас" in text and "Управление дорог" in text
    assert "просрочка" not in text


def test_a_reminder_gives_the_time_left_in_hours_and_minutes() -> None:
    text = render("deadline.reminder", kind="review", due_at=DUE, left_minutes=80)
    assert "осталось 1 ч 20 мин рабочего времени" in text


def test_a_single_organisation_routing_asks_for_no_consolidated_information() -> None:
    text = render(
        "incident.routed",
        org_code="roads",
        topic="Дороги",
        location="центр",
        respond_due_at=DUE,
        draft_due_at=DUE,
    )
    assert "проект ответа до" in text
    assert "сводного" not in text and "—" not in text


def test_a_closing_without_a_comment_ends_cleanly() -> None:
    text = render("incident.closed_no_answer", reason="threat", comment=None)
    assert text.endswith("угрозы должностному лицу или его семье.")
    with_comment = render("incident.closed_no_answer", reason="obscene", comment="мат")
    assert "комментарий: «мат»" in with_comment
