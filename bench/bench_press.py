"""Benchmark a curator's button press: CPU in the bot process against a bare aiogram bot.

Run by hand from the repository root:
`python bench/bench_press.py [--presses 60] [--rounds 5]`.

Both run as real processes against the same fake Bot API on 127.0.0.1 (tests/support):
- the incident bot (`python -m bot run`, SQLite file): the curator presses "⚡ Повышенная
  важность" and "Обычная важность" in turn on an incident's card; each press is a workflow
  step (a database write, outbox rows, the card redrawn and edited);
- the baseline (bench/echo_bot.py): the same press answered and the message edited, no
  database.
The two run at once and are measured in turns, several rounds, so that a busy spell of the
shared machine falls on both; the median ratio is the figure. Each press waits until the
callback query is answered and the card edited. CPU is read from /proc for each bot's process
only; its idle CPU (timers, the sender's poll) is measured just before each round and
subtracted, so the figure is the press itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram.enums import ParseMode  # noqa: E402
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup  # noqa: E402

from tests.e2e.harness import CURATOR, BotWorld  # noqa: E402
from tests.support.fake_telegram import FakeTelegram  # noqa: E402
from tests.support.fake_telegram.models import FakeMessage  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


async def idle_rate(pid: int, seconds: float = 3.0) -> float:
    before = cpu_seconds(pid)
    await asyncio.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


async def wait(condition, timeout: float = 20.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not answer in time")
        await asyncio.sleep(0.002)


class IncidentBot:
    """The incident bot with one incident whose card the curator presses."""

    def __init__(self, tmp: Path) -> None:
        self.world = BotWorld(tmp)
        self.presses = 0
        self.methods: Counter[str] = Counter()

    async def start(self) -> None:
        await self.world.start()
        self.incident = await self.world.detect("Яма на дороге у школы", "https://vk.com/wall-1_1")
        await self.world.wait_card(CURATOR, self.incident.id)

    @property
    def pid(self) -> int:
        assert self.world.process is not None
        return self.world.process.pid

    async def press(self) -> None:
        keys = ["button.high", "button.normal"]
        world = self.world
        card = world.card(CURATOR, self.incident.id)
        assert card is not None
        edits = len(card.edits)
        answered = len(world.fake.callback_answers)
        calls_before = len(world.fake.calls)
        world.press(CURATOR, card, keys[self.presses % 2], CURATOR)
        self.presses += 1
        await wait(lambda: len(world.fake.callback_answers) > answered and len(card.edits) > edits)
        self.methods.update(call.method for call in world.fake.calls[calls_before:])

    async def stop(self) -> None:
        await self.world.stop()


class EchoBot:
    """The baseline: bench/echo_bot.py, a bare aiogram bot, on its own fake Bot API. Given
    the incident bot's card, it gets the same update (the card comes back with the press)
    and edits the same card; without, a one-word message."""

    def __init__(self, card: FakeMessage | None, tmp: Path) -> None:
        self.card = card
        self.card_file = tmp / "card.json"
        self.press_data = "press"

    async def start(self) -> None:
        self.fake = FakeTelegram()
        await self.fake.start()
        command = [sys.executable, str(ROOT / "bench" / "echo_bot.py"), self.fake.url, "42:b"]
        text, keyboard = "Карточка", None
        if self.card is not None:
            text, markup = self.card.text or "", self.card.reply_markup or {}
            self.card_file.write_text(
                json.dumps({"text": text, "reply_markup": markup}), encoding="utf-8"
            )
            command.append(str(self.card_file))
            keyboard = InlineKeyboardMarkup.model_validate(markup)
            self.press_data = keyboard.inline_keyboard[0][0].callback_data or ""
        else:
            button = InlineKeyboardButton(text="Нажать", callback_data=self.press_data)
            keyboard = InlineKeyboardMarkup(inline_keyboard=[[button]])
        self.process = subprocess.Popen(  # noqa: ASYNC220 - one child for the whole run
            command, env={**os.environ, "PYTHONPATH": str(ROOT)}
        )
        await wait(lambda: bool(self.fake.calls_of("getUpdates")), timeout=30)
        bot = self.fake.bot("42:b")
        self.sent = await bot.send_message(
            CURATOR, text, parse_mode=ParseMode.HTML, reply_markup=keyboard
        )
        await bot.session.close()

    @property
    def pid(self) -> int:
        return self.process.pid

    async def press(self) -> None:
        fake, message_id = self.fake, self.sent.message_id
        answered = len(fake.callback_answers)
        before = fake.message(CURATOR, message_id).content
        fake.press_button(CURATOR, message_id, self.press_data, user_id=CURATOR)
        await wait(
            lambda: (
                len(fake.callback_answers) > answered
                and fake.message(CURATOR, message_id).content != before
            )
        )

    async def stop(self) -> None:
        self.process.terminate()
        await asyncio.to_thread(self.process.wait, 20)
        await self.fake.close()


async def measure(bot: IncidentBot | EchoBot, presses: int) -> float:
    """CPU seconds of the bot's process per press, its idle CPU of the same window taken off."""
    idle = await idle_rate(bot.pid, 1.0)
    started = cpu_seconds(bot.pid)
    wall = time.monotonic()
    for _ in range(presses):
        await bot.press()
    elapsed = time.monotonic() - wall
    return (cpu_seconds(bot.pid) - started - idle * elapsed) / presses


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presses", type=int, default=60, help="presses per bot per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--small-echo",
        action="store_true",
        help="the baseline edits a one-word message instead of the incident bot's card",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        incident_bot = IncidentBot(Path(tmp))
        await incident_bot.start()
        card = incident_bot.world.card(CURATOR, incident_bot.incident.id)
        echo = EchoBot(None if args.small_echo else card, Path(tmp))
        await echo.start()
        try:
            await asyncio.sleep(1.0)  # let start-up settle
            for bot in (echo, incident_bot):  # warm both up, unmeasured
                for _ in range(10):
                    await bot.press()
            incident_bot.methods.clear()
            # Rounds in turn, so that a busy spell of this shared machine falls on both.
            ratios = []
            for number in range(args.rounds):
                echo_cpu = await measure(echo, args.presses)
                bot_cpu = await measure(incident_bot, args.presses)
                ratios.append(bot_cpu / echo_cpu)
                print(
                    f"round {number + 1}: bare aiogram echo bot {echo_cpu * 1000:.1f} ms, "
                    f"incident bot {bot_cpu * 1000:.1f} ms CPU a press: {ratios[-1]:.1f}x"
                )
        finally:
            await incident_bot.stop()
            await echo.stop()
    methods = incident_bot.methods
    methods.pop("getUpdates", None)
    presses = args.presses * args.rounds
    print(
        "incident bot's API calls per press:",
        {name: round(count / presses, 2) for name, count in sorted(methods.items())},
    )
    print(f"presses: {args.presses} a round, {args.rounds} rounds")
    baseline = "a one-word message" if args.small_echo else "the same card"
    print(f"the bare bot edits {baseline}")
    print(
        f"ratio: median {statistics.median(ratios):.1f}x, "
        f"{min(ratios):.1f}-{max(ratios):.1f}x (goal <= 3x)"
    )


if __name__ == "__main__":
    asyncio.run(main())
