"""Presses and typed input: п.18 step lengths in Russian, every card button checked at the press."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.i18n import Translator
from handlers.curator.limits import limits_of, parse_stage_limits

TRANSLATOR = Translator()


def t(key: str, /, **params: object) -> str:
    return TRANSLATOR.render(key, params, "ru")


def test_p18_russian_step_names_with_minutes() -> None:
    chosen = parse_stage_limits("согласование 90, размещение 120; проект 60\nвзять 30", t)
    assert chosen == {"review": 90, "publish": 120, "draft_margin": 60, "respond": 30}
    limits = limits_of(chosen or {})
    assert limits.review == timedelta(minutes=90) and limits.reroute is None


def test_p18_the_old_english_form_still_reads() -> None:
    assert parse_stage_limits("review=60 publish=120", t) == {"review": 60, "publish": 120}


@pytest.mark.parametrize("text", ["", "согласование", "согласование 0", "отпуск 30", "90"])
def test_p18_anything_else_is_refused(text: str) -> None:
    assert parse_stage_limits(text, t) is None


def test_every_card_button_is_checked_at_the_press() -> None:
    """A new button must say which step it asks for, or its presses go unchecked."""
    from bot.views.callbacks import Act
    from handlers.gate import KIND_OF_ACT

    assert set(Act) - set(KIND_OF_ACT) == set()


def test_p16_the_bots_publish_button_is_checked_at_the_press() -> None:
    """«Опубликовать» asks the ConfirmPublication guard for its draft, like the card's button."""
    from bot.views.callbacks import PublishCb
    from handlers.gate import question
    from workflow.commands import ConfirmPublication

    assert question(PublishCb(incident=7, draft=3).pack()) == (7, ConfirmPublication, 3)
