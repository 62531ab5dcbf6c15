"""`python -m bot doctor`: one line per finding, what to fix said plainly; exit code 1 when
anything needs fixing. Against the fake Bot API server and a real database."""

from __future__ import annotations

import io
import re
import socket

import pytest

from bot.doctor import report_bad_settings, run_doctor
from bot.settings import SettingsError, load_settings
from tests.support.directory_seed import CHATS
from tests.support.fake_telegram import TOKEN, FakeTelegram

ROADS, PARKS = CHATS["roads"], CHATS["parks"]
DISCUSSION = -100900


@pytest.fixture
def database_kind() -> str:
    return "sqlite"  # the checks read the same on PostgreSQL; one kind keeps them fast


@pytest.fixture
async def fake():
    async with FakeTelegram(token=TOKEN) as server:
        yield server


def _settings(fake: FakeTelegram, database_url: str, **overrides):
    values = {
        "bot_token": TOKEN,
        "bot_api_base": fake.url,
        "database_url": database_url,
        "default_locale": "en",
        "telegram_discussion_chats": str(DISCUSSION),
    }
    return load_settings(**(values | overrides))


async def _doctor(settings) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = await run_doctor(settings, out)
    return code, out.getvalue().splitlines()


def _problems(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("✗")]


async def test_all_well_when_privacy_is_off_and_the_bot_is_in_every_group(
    fake, database_url, people
) -> None:
    fake.privacy_mode = False
    code, lines = await _doctor(_settings(fake, database_url))
    assert _problems(lines) == []
    assert code == 0
    assert "✓ Telegram accepts the token: the bot is @fake_incident_bot." in lines
    assert "✓ group parks (parks): the bot is in the group and sees its messages." in lines
    assert (
        f"✓ discussion group {DISCUSSION}: the bot is in the group and sees its messages." in lines
    )
    assert "✓ Administrators in the directory: 1." in lines
    assert lines[-1].startswith("All is well")


async def test_a_refused_token_is_reported_with_where_to_get_a_new_one(
    fake, database_url, people
) -> None:
    other = "987654321:AAAnotherTokenThatTelegramRefuses_xyz"
    code, lines = await _doctor(_settings(fake, database_url, bot_token=other))
    assert code == 1
    assert _problems(lines) == [
        "✗ Telegram refused BOT_TOKEN: copy the token again from @BotFather"
        " (/mybots → API Token); if it was revoked, get a new one."
    ]
    assert lines[-1] == "To fix: 1."


async def test_a_group_where_the_bot_lacks_rights_or_was_removed(
    fake, database_url, people
) -> None:
    fake.privacy_mode = False
    fake.set_bot_member(ROADS, "restricted", can_send_messages=False)
    fake.set_bot_member(PARKS, "kicked")
    fake.chat_not_found.add(DISCUSSION)
    code, lines = await _doctor(_settings(fake, database_url))
    assert code == 1
    assert _problems(lines) == [
        "✗ group roads (roads): the bot may not send messages, photos or documents."
        " Lift the restrictions or make the bot an admin.",
        "✗ group parks (parks): the bot is not in the group (removed or left). Add it again.",
        f"✗ discussion group {DISCUSSION}: the bot cannot reach it (Telegram server says -"
        " Bad Request: chat not found). Add the bot to the group, or take the group out of"
        " the directory (TELEGRAM_DISCUSSION_CHATS for a discussion group).",
    ]


async def test_privacy_mode_on_where_the_bot_is_not_an_admin(fake, database_url, people) -> None:
    fake.set_bot_member(ROADS, "administrator")
    fake.set_bot_member(DISCUSSION, "administrator")
    code, lines = await _doctor(_settings(fake, database_url))  # privacy on, as BotFather sets it
    assert code == 1
    assert "✓ group roads (roads): the bot is an admin." in lines
    problems = _problems(lines)
    assert problems[0].startswith("✗ group parks (parks): the bot is not an admin and, with the")
    assert problems[1].startswith("✗ The privacy mode is on: in groups where the bot is not an")
    assert "Group Privacy → Turn off" in problems[1]
    assert len(problems) == 2

    fake.set_bot_member(PARKS, "administrator")  # an admin everywhere: privacy does not matter
    code, lines = await _doctor(_settings(fake, database_url))
    assert (code, _problems(lines)) == (0, [])
    assert "✓ The privacy mode is on, but the bot is an admin in all its groups" in "\n".join(lines)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


async def test_an_unreachable_database_is_named_without_its_password(fake) -> None:
    url = f"postgresql+asyncpg://bot:secret@127.0.0.1:{_closed_port()}/incidents"
    code, lines = await _doctor(_settings(fake, url, telegram_discussion_chats=""))
    assert code == 1
    problems = _problems(lines)
    assert re.fullmatch(
        r"✗ The database postgresql\+asyncpg://bot:\*\*\*@127\.0\.0\.1:\d+/incidents cannot be"
        r" reached: .+\. Check DATABASE_URL, that the server runs and lets this user in\.",
        problems[0],
    ), problems
    assert "secret" not in "\n".join(lines)
    assert "✓ Telegram accepts the token: the bot is @fake_incident_bot." in lines


async def test_a_new_installation_without_administrator_or_token_says_what_to_do(
    fake, tmp_path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.sqlite3'}"
    settings = load_settings(database_url=url, default_locale="ru", bot_api_base=fake.url)
    code, lines = await _doctor(settings)
    assert code == 1
    assert [line.split(":")[0] for line in _problems(lines)] == [
        "✗ BOT_TOKEN не задан",
        "✗ В справочнике нет администратора",
    ]
    assert not (tmp_path / "new.sqlite3").exists()  # the doctor only reads


def test_settings_that_do_not_load_are_one_finding() -> None:
    out = io.StringIO()
    with pytest.raises(SettingsError) as caught:
        load_settings(timer_review="half an hour")
    assert report_bad_settings(caught.value, out) == 1
    assert out.getvalue().startswith("✗ Настройки не читаются")
    assert "TIMER_REVIEW" in out.getvalue()


def test_python_m_bot_doctor_reports_settings_that_do_not_load(monkeypatch, capsys) -> None:
    from bot.cli import main

    monkeypatch.setenv("TIMER_REVIEW", "half an hour")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("✗ Настройки не читаются")
    assert "TIMER_REVIEW: must be an ISO 8601 duration" in out
