"""Settings in sections: the flat variable names keep working, code reads nested sections."""

from __future__ import annotations

import os
import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from bot.i18n import LOCALES
from bot.outbox.options import SenderOptions
from bot.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
ENV_NAMES = set(Settings.env_names())


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper() in ENV_NAMES:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def _example_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_every_variable_is_documented_in_the_example_and_read() -> None:
    assert _example_variables() == ENV_NAMES


def test_flat_variables_land_in_their_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CENTRE_TIMEZONE", "Asia/Novosibirsk")
    monkeypatch.setenv("CALENDAR_EXTRA_WORKING_DAYS", "2027-01-09; 2027-01-10")
    monkeypatch.setenv("SENDER_CHAT_PER_SECOND", "0.5")
    monkeypatch.setenv("OUTBOX_POLL_SECONDS", "5")
    monkeypatch.setenv("INTAKE_PORT", "9000")
    monkeypatch.setenv("INTAKE_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2")
    monkeypatch.setenv("TELEGRAM_DISCUSSION_CHATS", "-100, -200")
    monkeypatch.setenv("DIGEST_TIME", "08:30")
    monkeypatch.setenv("DIGEST_WEEKLY_WEEKDAY", "off")
    monkeypatch.setenv("DEADLINE_TICK_INTERVAL", "10")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.calendar.timezone == "Asia/Novosibirsk"
    assert settings.calendar.overrides().working_days == {date(2027, 1, 9), date(2027, 1, 10)}
    assert settings.sender.chat_per_second == 0.5
    assert settings.sender.poll_seconds == 5
    assert settings.intake.port == 9000
    assert settings.intake_config().trusted_proxies == {"10.0.0.1", "10.0.0.2"}
    assert settings.discussion_chats() == {-100, -200}
    assert settings.alerts.digest_time == time(8, 30)
    assert settings.alert_policy().weekly_digest_weekday is None
    assert settings.alerts.tick_interval == timedelta(seconds=10)
    assert settings.general.log_level == "DEBUG"


def test_env_file_names_any_case_and_the_process_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "timer_route=PT2H\nPUBLISHER=centre\nCALENDAR_MODE=always\nSOMETHING_ELSE=1\n"
    )
    monkeypatch.setenv("CALENDAR_MODE", "russian")
    settings = load_settings()
    assert settings.timers.route == timedelta(hours=2)
    assert settings.policy().publisher.value == "centre"
    assert not settings.calendar.always


def test_keyword_overrides_take_flat_names_or_sections() -> None:
    flat = load_settings(timer_review="PT20M", DATABASE_URL="sqlite+aiosqlite:///x.db")
    assert flat.timers.review == timedelta(minutes=20)
    assert flat.database.url == "sqlite+aiosqlite:///x.db"
    nested = Settings(sender={"flood_threshold": 7}, _env_file=None)
    assert nested.sender.flood_threshold == 7


def test_flood_threshold_defaults_to_the_senders_and_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One default: what the sender uses when nothing is set is what the settings give it.
    assert load_settings().sender.flood_threshold == SenderOptions().flood_threshold
    monkeypatch.setenv("OUTBOX_FLOOD_THRESHOLD", "50")
    assert load_settings().sender.flood_threshold == 50


@pytest.mark.parametrize("value", ["0", "-3", "many", "2.5"])
def test_wrong_flood_threshold_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("OUTBOX_FLOOD_THRESHOLD", value)
    with pytest.raises(SettingsError, match=r"OUTBOX_FLOOD_THRESHOLD: "):
        load_settings()


def test_several_wrong_values_are_listed_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMER_ROUTE", "soon")
    monkeypatch.setenv("INTAKE_PORT", "0")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert "TIMER_ROUTE: must be an ISO 8601 duration" in message
    assert "INTAKE_PORT: " in message


def test_contradicting_calendar_overrides_are_a_settings_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CALENDAR_EXTRA_DAYS_OFF", "2027-05-03")
    monkeypatch.setenv("CALENDAR_EXTRA_WORKING_DAYS", "2027-05-03")
    with pytest.raises(SettingsError, match=r"CALENDAR_EXTRA_DAYS_OFF and .*2027-05-03"):
        load_settings()


def test_default_locale_accepts_exactly_the_supported_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for locale in LOCALES:
        monkeypatch.setenv("DEFAULT_LOCALE", locale)
        assert load_settings().general.default_locale == locale
    monkeypatch.setenv("DEFAULT_LOCALE", "de")
    with pytest.raises(SettingsError, match=r"DEFAULT_LOCALE: must be " + " or ".join(LOCALES)):
        load_settings()


def test_a_section_given_in_code_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OUTBOX_FLOOD_THRESHOLD", "50")
    monkeypatch.setenv("SENDER_CHAT_PER_SECOND", "0.5")
    settings = load_settings(sender={"flood_threshold": 7})
    assert settings.sender.flood_threshold == 7
    assert settings.sender.chat_per_second == 0.5  # the rest of the section still from env
