"""The README's first run, step by step, against the fake Bot API server: the settings and
the directory as the README gives them, `doctor`, the bot started, `/start`, a group bound
with `/bind`, and the first incident through the README's `curl` request."""

from __future__ import annotations

import asyncio
import io
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot.doctor import run_doctor
from bot.settings import Settings, load_settings
from tests.support.fake_telegram import TOKEN, FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
GROUP = -1001234567890  # the organisation's new supergroup


def readme_block(name: str) -> str:
    """The fenced block that follows `<!-- first-run: NAME -->` in the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(
        rf"<!-- first-run: {re.escape(name)} -->\n(?P<indent> *)```[a-z]*\n(?P<body>.*?)\n *```",
        text,
        re.S,
    )
    assert found, f"README has no first-run block {name!r}"
    return textwrap.dedent(found["body"]) + "\n"


def curl_request(command: str, port: int) -> tuple[str, dict[str, str], str]:
    """URL, headers and body of the README's curl command (which POSTs, having -d)."""
    words = shlex.split(command.replace("\\\n", " "))
    assert words[0] == "curl"
    url = next(word for word in words if word.startswith("http"))
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    body = words[words.index("-d") + 1]
    return url.replace("127.0.0.1:8081", f"127.0.0.1:{port}"), headers, body


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:]


async def _until(condition, process: subprocess.Popen[bytes], log: Path, timeout: float = 30):  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (found := condition()):
        if process.poll() is not None:
            raise AssertionError(f"the bot exited:\n{_tail(log)}")
        if loop.time() > deadline:
            raise AssertionError(f"timed out:\n{_tail(log)}")
        await asyncio.sleep(0.05)
    return found


def _bot_text(fake: FakeTelegram, chat_id: int, fragment: str):
    return lambda: next(
        (m for m in fake.bot_messages(chat_id) if fragment in (m.content or "")), None
    )


async def _doctor() -> tuple[int, list[str]]:
    out = io.StringIO()
    code = await run_doctor(load_settings(), out)
    return code, out.getvalue().splitlines()


async def test_readme_first_run_from_the_token_to_the_first_incident(tmp_path, monkeypatch):
    port = _free_port()
    async with FakeTelegram(token=TOKEN) as fake:
        # 1. The bot, from @BotFather, with the privacy mode turned off there.
        fake.privacy_mode = False
        # 2. The settings: the README's lines, with the token BotFather gave.
        env_lines = readme_block(".env")
        env_lines = re.sub(r"^BOT_TOKEN=.*$", f"BOT_TOKEN={TOKEN}", env_lines, flags=re.M)
        (tmp_path / ".env").write_text(env_lines, encoding="utf-8")
        shutil.copy(ROOT / "topics.example.yaml", tmp_path)
        # 3. The directory, with yourself as administrator.
        directory = readme_block("directory.yaml")
        (tmp_path / "directory.yaml").write_text(directory, encoding="utf-8")
        me = yaml.safe_load(directory)["people"][0]
        my_id, my_name = int(me["telegram_id"]), me["full_name"]

        # Nothing of the developer's environment leaks in; the bot talks to the fake.
        for name in Settings.env_names():
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("BOT_API_BASE", fake.url)
        monkeypatch.setenv("INTAKE_PORT", str(port))
        monkeypatch.chdir(tmp_path)

        # 4. Check: the database is new, the administrator comes from the file.
        code, lines = await _doctor()
        assert [line for line in lines if line.startswith("✗")] == [], lines
        assert code == 0

        # 5. Start, and /start in a private chat.
        env = {k: v for k, v in os.environ.items()} | {"PYTHONPATH": str(ROOT)}
        log = tmp_path / "bot.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(  # noqa: ASYNC220 - started once, stopped below
                [sys.executable, "-m", "bot", "run"],
                cwd=tmp_path,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            await _until(lambda: fake.calls_of("getUpdates"), process, log, timeout=60)
            fake.user_message(my_id, "/start")
            await _until(_bot_text(fake, my_id, my_name), process, log)

            # 6. A group: the bot added, /bind with the organisation's code.
            fake.user_message(GROUP, "/bind zhkh", user_id=my_id)
            await _until(
                _bot_text(fake, GROUP, "Группа привязана к организации «Управление ЖКХ»"),
                process,
                log,
            )

            # 7. The first incident, by the README's curl request.
            url, headers, body = curl_request(readme_block("curl"), port)
            async with (
                aiohttp.ClientSession() as http,
                http.post(url, headers=headers, data=body.encode()) as response,
            ):
                assert response.status == 201, await response.text()
                incident = await response.json()
            assert incident["suggested_topic"] == "Водоснабжение и водоотведение"
            assert incident["suggested_orgs"] == ["zhkh"]
            card = await _until(_bot_text(fake, my_id, f"Инцидент №{incident['id']}"), process, log)
            assert card.reply_markup, "the curator's card comes with its buttons"

            # The doctor again: the bound group is checked too.
            code, lines = await _doctor()
            assert code == 0, lines
            assert any("(zhkh): бот в группе и видит её сообщения" in line for line in lines)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.to_thread(process.wait, 20)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)
    assert process.returncode == 0, _tail(log)


def test_the_readme_curl_request_is_valid_for_the_intake_api():
    from bot.intake.schemas import NewIncident

    url, headers, body = curl_request(readme_block("curl"), 8081)
    assert url == "http://127.0.0.1:8081/api/v1/incidents"
    assert headers["Authorization"].removeprefix("Bearer ") in readme_block(".env")
    NewIncident.model_validate_json(body)


@pytest.mark.parametrize("name", [".env", "directory.yaml", "curl"])
def test_each_walkthrough_block_is_in_the_readme(name):
    assert readme_block(name).strip()
