"""The real bot process against the fake Bot API server, driven as people would drive it.

The bot runs as `python -m bot run` in a child process with its API base pointed at the fake
server on 127.0.0.1 and its own SQLite file; incidents are detected through the service on
the same file (as the intake would), and people press buttons and type through the fake.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import SystemClock
from bot.i18n import Translator
from bot.services.calendars import CalendarConfig
from bot.services.incidents import IncidentService
from db.engine import create_engine, create_session_factory
from tests.support.fake_telegram import TOKEN, FakeMessage, FakeTelegram
from workflow.calendar import CalendarOverrides
from workflow.model import Incident, Post, Source
from workflow.policy import Policy

ROOT = Path(__file__).resolve().parents[2]

CURATOR = 1001
ROADS_1, ROADS_2, PARKS_1 = 2001, 2002, 3001
MANAGER, ADMIN = 4001, 5001
ROADS_CHAT, PARKS_CHAT = -100200, -100300
DISCUSSION_CHAT = -1009000  # the official channel's comment group

DIRECTORY = f"""
centre:
  code: mcu
  name: Муниципальный центр управления
  timezone: Europe/Moscow
organisations:
  - code: roads
    name: Управление дорожного хозяйства
    topics: [Дороги, Ямы]
  - code: parks
    name: Управление благоустройства
    topics: [Парки, Дворы]
people:
  - key: curator
    full_name: Иванова Анна
    telegram_id: {CURATOR}
    roles: [curator]
    organisation: mcu
  - key: roads1
    full_name: Дорогин Пётр
    telegram_id: {ROADS_1}
    roles: [executor]
    organisation: roads
    stand_ins: [roads2]
  - key: roads2
    full_name: Мостов Иван
    telegram_id: {ROADS_2}
    roles: [executor]
    organisation: roads
  - key: parks1
    full_name: Садова Мария
    telegram_id: {PARKS_1}
    roles: [executor]
    organisation: parks
  - key: manager
    full_name: Сидоров Олег
    telegram_id: {MANAGER}
    roles: [manager]
    organisation: mcu
  - key: admin
    full_name: Кузнецов Илья
    telegram_id: {ADMIN}
    roles: [admin]
    organisation: mcu
  - key: newcomer
    full_name: Новикова Ольга
    username: novikova
    roles: [executor]
    organisation: parks
chats:
  - chat_id: {ROADS_CHAT}
    title: Дороги
    organisation: roads
  - chat_id: {PARKS_CHAT}
    title: Благоустройство
    organisation: parks
"""


class BotWorld:
    def __init__(
        self,
        tmp: Path,
        env: dict[str, str] | None = None,
        policy: Policy | None = None,
        *,
        directory: str = DIRECTORY,
    ) -> None:
        """`env`: settings of the bot beyond the defaults; `policy`: the same for the steps
        the test takes through its own service (they must agree); `directory`: the YAML."""
        self.tmp = tmp
        self.env = env or {}
        self.policy = policy or Policy()
        self.directory_text = directory
        self.fake = FakeTelegram()
        self.database = tmp / "bot.sqlite3"
        self.url = f"sqlite+aiosqlite:///{self.database}"
        self.process: subprocess.Popen[bytes] | None = None
        self.engine: AsyncEngine | None = None
        self.t = Translator()
        self.log = tmp / "bot.log"
        self._seen: set[tuple[int, int]] = set()
        self._log_file: IO[bytes] | None = None

    async def start(self) -> None:
        await self.fake.start()
        directory = self.tmp / "directory.yaml"
        directory.write_text(self.directory_text, encoding="utf-8")
        self._spawn("wb")
        await self.until(lambda: bool(self.fake.calls_of("getUpdates")), timeout=60)
        self.engine = create_engine(self.url)
        config = CalendarConfig("Europe/Moscow", "mon-fri 09:00-18:00", True, CalendarOverrides())
        self.service = IncidentService(
            create_session_factory(self.engine), SystemClock(), self.policy, config
        )

    def _spawn(self, log_mode: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TIMER_", "SENDER_"))}
        env.update(
            {
                "BOT_TOKEN": TOKEN,
                "BOT_API_BASE": self.fake.url,
                "DATABASE_URL": self.url,
                "DIRECTORY_FILE": str(self.tmp / "directory.yaml"),
                "CALENDAR_MODE": "always",  # the test runs at any hour of any day
                "CENTRE_TIMEZONE": "Europe/Moscow",
                "SENDER_GLOBAL_PER_SECOND": "200",
                "SENDER_GROUP_PER_MINUTE": "600",
                "SENDER_CHAT_PER_SECOND": "50",
                "OUTBOX_POLL_SECONDS": "0.2",
                "TELEGRAM_DISCUSSION_CHATS": str(DISCUSSION_CHAT),
                "LOG_LEVEL": "INFO",
                "PYTHONPATH": str(ROOT),
                **self.env,
            }
        )
        self._log_file = self.log.open(log_mode)  # closed in stop(): the child has its own
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=self.tmp,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    async def restart(self) -> None:
        """Stop the bot process and start a new one over the same database and fake server;
        returns once the new process polls."""
        await self._stop_process()
        polls = len(self.fake.calls_of("getUpdates"))
        self._spawn("ab")
        await self.until(lambda: len(self.fake.calls_of("getUpdates")) > polls, timeout=60)

    async def _stop_process(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.to_thread(self.process.wait, 20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                await asyncio.to_thread(self.process.wait, 20)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    async def stop(self) -> None:
        await self._stop_process()
        if self.engine is not None:
            await self.engine.dispose()
        await self.fake.close()

    def bot_log(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def until(self, condition: Callable[[], object], timeout: float = 20) -> None:  # noqa: ASYNC109
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"the bot exited:\n{self.bot_log()[-4000:]}")
            if loop.time() > deadline:
                chats = {
                    chat: [
                        (m.message_id, (m.content or "")[:120]) for m in self.fake.messages(chat)
                    ]
                    for chat in self.fake.chat_ids()
                }
                raise AssertionError(
                    f"timed out; chats: {chats}\nbot log tail:\n{self.bot_log()[-3000:]}"
                )
            await asyncio.sleep(0.05)

    # --- the world ----------------------------------------------------------------------------

    async def detect(self, text: str, url: str, **fields: object) -> Incident:
        post = Post(Source.VK, url, text, author_name="Житель", **fields)  # type: ignore[arg-type]
        return (await self.service.detect(post)).incident

    def card(self, chat_id: int, incident_id: int) -> FakeMessage | None:
        marker = f"Инцидент №{incident_id}</b> ·"
        for message in self.fake.bot_messages(chat_id):
            if marker in (message.content or "") and message.reply_markup:
                return message
        return None

    async def wait_card(
        self, chat_id: int, incident_id: int, having: str | None = None
    ) -> FakeMessage:
        def ready() -> bool:
            card = self.card(chat_id, incident_id)
            return card is not None and (having is None or having in (card.content or ""))

        await self.until(ready)
        card = self.card(chat_id, incident_id)
        assert card is not None
        return card

    def labels(self, chat_id: int, message: FakeMessage) -> list[str]:
        return [b.text for b in self.fake.buttons(chat_id, message.message_id)]

    def button(self, chat_id: int, message: FakeMessage, key: str, **params: object) -> str:
        label = self.t.text(key, "ru", **params)
        for button in self.fake.buttons(chat_id, message.message_id):
            if button.text == label and button.callback_data:
                return button.callback_data
        raise AssertionError(f"no button {label!r}; there are {self.labels(chat_id, message)}")

    def press(
        self, chat_id: int, message: FakeMessage, key: str, user: int, **params: object
    ) -> None:
        data = self.button(chat_id, message, key, **params)
        self.fake.press_button(chat_id, message.message_id, data, user_id=user)

    def last_bot_message(self, chat_id: int) -> FakeMessage:
        return self.fake.bot_messages(chat_id)[-1]

    async def wait_bot_text(self, chat_id: int, fragment: str) -> FakeMessage:
        """The first bot message with `fragment` not returned before: each prompt once."""

        def found() -> FakeMessage | None:
            for message in self.fake.bot_messages(chat_id):
                key = (chat_id, message.message_id)
                if key not in self._seen and fragment in (message.content or ""):
                    return message
            return None

        await self.until(lambda: found() is not None)
        message = found()
        assert message is not None
        self._seen.add((chat_id, message.message_id))
        return message
