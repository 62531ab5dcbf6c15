"""RATING_WEIGHT_PAGES and PAGES_QUOTAS reach the reports the sender draws."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import build_renderer
from bot.clock import ManualClock
from bot.settings import Settings, SettingsError, load_settings
from workflow.pages import PageKind

ENV_NAMES = set(Settings.env_names())


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper() in ENV_NAMES:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_page_weight_and_quotas_reach_the_report_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATING_WEIGHT_PAGES", "0.5")
    monkeypatch.setenv("PAGES_QUOTAS", "organisation=2")
    renderer = build_renderer(load_settings(), ManualClock(datetime(2027, 1, 11, tzinfo=UTC)))
    assert renderer.reports.weights.pages == 0.5
    policy = renderer.reports.page_policy
    assert policy is not None and policy.quota(PageKind.ORGANISATION, None) == 2


def test_a_negative_page_weight_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATING_WEIGHT_PAGES", "-1")
    with pytest.raises(SettingsError, match="RATING_WEIGHT_PAGES"):
        load_settings()
