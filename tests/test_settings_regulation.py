"""The project's policy settings: fairness minimums and the п.10 dismissal grounds."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings
from workflow.model import DismissalGround


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper() in set(Settings.env_names()):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_fair_minimums_and_grounds_reach_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIR_MIN_DRAFT", "PT45M")
    monkeypatch.setenv("TIMER_CONSOLIDATION", "PT20M")
    monkeypatch.setenv("DISMISSAL_GROUNDS", "spam, gratitude")
    policy = load_settings().policy()
    assert policy.minimums.draft == timedelta(minutes=45)
    assert policy.minimums.review is None  # unset: the step's own length
    assert policy.consolidation == timedelta(minutes=20)
    assert policy.dismissal_grounds == (DismissalGround.SPAM, DismissalGround.GRATITUDE)


def test_an_unknown_ground_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISMISSAL_GROUNDS", "gratitude,weather")
    with pytest.raises(SettingsError, match="DISMISSAL_GROUNDS"):
        load_settings()
