"""Settings: every timer accepts ISO 8601 or seconds; a wrong setting is one clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings, require_token
from bot.settings.model import ENV_FIELDS
from workflow.policy import Policy

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:" + "A" * 35
ENV_NAMES = set(Settings.env_names())
# (variable, field of the timers section) for every duration timer.
TIMER_FIELDS = [
    (name, field)
    for name, (section, field) in sorted(ENV_FIELDS.items())
    if name.startswith("TIMER_") and "DAYS" not in name
]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper() in ENV_NAMES:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_are_the_regulation() -> None:
    settings = load_settings()
    assert settings.policy() == Policy()
    assert settings.database.url.startswith("sqlite+aiosqlite:///")
    assert settings.general.default_locale == "ru"


@pytest.mark.parametrize(("variable", "field"), TIMER_FIELDS)
@pytest.mark.parametrize(("raw", "expected"), [("PT45M", 45), ("2700", 45), ("PT0.75H", 45)])
def test_every_timer_accepts_iso8601_and_seconds(
    monkeypatch: pytest.MonkeyPatch, variable: str, field: str, raw: str, expected: int
) -> None:
    monkeypatch.setenv(variable, raw)
    assert getattr(load_settings().timers, field) == timedelta(minutes=expected)


def test_timer_settings_reach_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMER_ANSWER", "PT4H")
    monkeypatch.setenv("TIMER_REVIEW", "600")
    policy = load_settings().policy()
    assert policy.answer == timedelta(hours=4)
    assert policy.review == timedelta(minutes=10)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("TIMER_REVIEW", "half an hour", "TIMER_REVIEW: must be an ISO 8601 duration"),
        ("TIMER_ROUTE", "-60", "TIMER_ROUTE: must be a positive duration"),
        ("TIMER_ROUTE", "0", "TIMER_ROUTE: must be a positive duration"),
        ("CENTRE_TIMEZONE", "Moscow", "CENTRE_TIMEZONE: must be an IANA time zone"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: must start with sqlite+aiosqlite://"),
        ("BOT_API_BASE", "api.telegram.org", "BOT_API_BASE: must be an http:// or https:// URL"),
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN: must look like 123456789:AA"),
        ("DEFAULT_LOCALE", "de", "DEFAULT_LOCALE: must be ru or en"),
        ("OFFICE_HOURS", "always open", "OFFICE_HOURS:"),
        ("CALENDAR_EXTRA_DAYS_OFF", "2027-13-01", "CALENDAR_EXTRA_DAYS_OFF: '2027-13-01'"),
        ("PUBLISHER", "robot", "PUBLISHER:"),
        ("TIMER_FINAL_ANSWER_DAYS", "zero", "TIMER_FINAL_ANSWER_DAYS:"),
        ("INTAKE_API_TOKEN", "short", "INTAKE_API_TOKEN needs at least 16 characters"),
        ("VK_GROUP_ID", "123", "VK_GROUP_ID and VK_CONFIRMATION must be set together"),
        ("INTAKE_PORT", "99999", "INTAKE_PORT:"),
        ("ALERT_REMINDER_SHARE", "2", "ALERT_REMINDER_SHARE: must be a number between 0 and 1"),
        ("ALERT_ESCALATE_AFTER", "soon", "ALERT_ESCALATE_AFTER: must be an ISO 8601 duration"),
        ("DIGEST_TIME", "9am", "DIGEST_TIME: must be a time HH:MM, or off"),
        ("DIGEST_WEEKLY_WEEKDAY", "funday", "DIGEST_WEEKLY_WEEKDAY: must be mon"),
        ("TELEGRAM_DISCUSSION_CHATS", "-100, abc", "TELEGRAM_DISCUSSION_CHATS: 'abc'"),
        ("SENDER_GLOBAL_PER_SECOND", "0", "SENDER_GLOBAL_PER_SECOND:"),
    ],
)
def test_wrong_setting_names_the_variable_and_what_it_accepts(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert expected in str(raised.value)


def test_alert_settings_reach_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALERT_REMINDER_SHARE", "off")
    monkeypatch.setenv("ALERT_ESCALATE_AFTER", "PT1H")
    monkeypatch.setenv("DIGEST_WEEKLY_WEEKDAY", "fri")
    policy = load_settings().alert_policy()
    assert policy.reminder_share is None
    assert policy.escalate_after == timedelta(hours=1)
    assert policy.weekly_digest_weekday == 4


def test_intake_is_off_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not load_settings().intake_config().enabled
    monkeypatch.setenv("INTAKE_API_TOKEN", "x" * 20)
    config = load_settings().intake_config()
    assert config.api_enabled and config.host == "127.0.0.1"


def test_missing_token_tells_how_to_get_one() -> None:
    with pytest.raises(SettingsError, match="@BotFather"):
        require_token(load_settings())


def test_empty_token_in_env_file_means_not_set(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=   # fill me\nTIMER_REVIEW=PT20M\n")
    settings = load_settings()
    assert settings.telegram.bot_token is None
    assert settings.timers.review == timedelta(minutes=20)


def test_token_is_secret() -> None:
    settings = load_settings(bot_token=TOKEN)
    assert TOKEN not in repr(settings)
    assert require_token(settings).get_secret_value() == TOKEN


def _run_bot(args: list[str], env_extra: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key.upper() not in ENV_NAMES}
    env.update(env_extra)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_wrong_setting_exits_2_without_traceback_and_writes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    result = _run_bot(
        ["migrate"],
        {"DATABASE_URL": f"sqlite+aiosqlite:///{database}", "TIMER_REVIEW": "soon"},
        tmp_path,
    )
    assert result.returncode == 2
    assert "TIMER_REVIEW" in result.stderr and "PT30M" in result.stderr
    assert "Traceback" not in result.stderr
    assert not database.exists()


def test_cli_run_without_token_says_what_to_set(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    result = _run_bot(["run"], {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}, tmp_path)
    assert result.returncode == 2
    assert "BOT_TOKEN" in result.stderr and "@BotFather" in result.stderr
    assert "Traceback" not in result.stderr
    assert not database.exists()


def test_cli_migrate_creates_the_schema(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    result = _run_bot(["migrate"], {"DATABASE_URL": f"sqlite+aiosqlite:///{database}"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert database.exists()
