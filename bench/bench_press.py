"""Benchmark a curator's button press: CPU in the bot process against a bare aiogram bot.

Run by hand from the repository root: `python bench/bench_press.py [--presses 60]`.

Both run as real processes against the same fake Bot API on 127.0.0.1 (tests/support):
- the incident bot (`python -m bot run`, SQLite file): the curator presses "⚡ Повышенная
  важность" and "Обычная важность" in turn on an incident's card; each press is a workflow
  step (a database write, outbox rows, the card redrawn and edited);
- the baseline (bench/echo_bot.py): the same press answered and the message edited, no
  database.
Each press waits until the callback query is answered and the card edited. CPU is read
from /proc for the bot's process only; the idle CPU of the same window (timers, the
sender's poll) is measured apart and subtracted, so the figure is the press itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.harness import CURATOR, BotWorld  # noqa: E402
from tests.support.fake_telegram import FakeTelegram  # noqa: E402

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


async def measure_incident_bot(presses: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        world = BotWorld(Path(tmp))
        await world.start()
        try:
            assert world.process is not None
            incident = await world.detect("Яма на дороге у школы", "https://vk.com/wall-1_1")
            card = await world.wait_card(CURATOR, incident.id)
            await asyncio.sleep(1.0)  # let start-up settle
            idle = await idle_rate(world.process.pid)
            keys = ["button.high", "button.normal"]
            started = cpu_seconds(world.process.pid)
            calls_before = len(world.fake.calls)
            wall = time.monotonic()
            for number in range(presses):
                card = world.card(CURATOR, incident.id)
                assert card is not None
                edits = len(card.edits)
                answered = len(world.fake.callback_answers)
                world.press(CURATOR, card, keys[number % 2], CURATOR)
                await wait(
                    lambda card=card, answered=answered, edits=edits: (
                        len(world.fake.callback_answers) > answered and len(card.edits) > edits
                    )
                )
            elapsed = time.monotonic() - wall
            used = cpu_seconds(world.process.pid) - started - idle * elapsed
            methods = Counter(call.method for call in world.fake.calls[calls_before:])
            methods.pop("getUpdates", None)
            print(
                "incident bot's API calls per press:",
                {name: round(count / presses, 2) for name, count in sorted(methods.items())},
            )
            return used / presses, elapsed / presses
        finally:
            await world.stop()


async def measure_echo_bot(presses: int) -> tuple[float, float]:
    fake = FakeTelegram()
    await fake.start()
    process = subprocess.Popen(  # noqa: ASYNC220 - one child for the whole run
        [sys.executable, str(ROOT / "bench" / "echo_bot.py"), fake.url, "42:bench"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        await wait(lambda: bool(fake.calls_of("getUpdates")), timeout=30)
        bot = fake.bot("42:bench")
        from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Нажать", callback_data="press")]]
        )
        sent = await bot.send_message(CURATOR, "Карточка", reply_markup=keyboard)
        await bot.session.close()
        await asyncio.sleep(1.0)
        idle = await idle_rate(process.pid)
        started = cpu_seconds(process.pid)
        wall = time.monotonic()
        for _ in range(presses):
            answered = len(fake.callback_answers)
            before = fake.message(CURATOR, sent.message_id).content
            fake.press_button(CURATOR, sent.message_id, "press", user_id=CURATOR)
            await wait(
                lambda answered=answered, before=before: (
                    len(fake.callback_answers) > answered
                    and fake.message(CURATOR, sent.message_id).content != before
                )
            )
        elapsed = time.monotonic() - wall
        used = cpu_seconds(process.pid) - started - idle * elapsed
        return used / presses, elapsed / presses
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 20)
        await fake.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presses", type=int, default=60)
    args = parser.parse_args()
    echo_cpu, echo_wall = await measure_echo_bot(args.presses)
    bot_cpu, bot_wall = await measure_incident_bot(args.presses)
    print(f"presses: {args.presses}")
    print(f"bare aiogram echo bot: {echo_cpu * 1000:.1f} ms CPU, {echo_wall * 1000:.0f} ms wall")
    print(f"incident bot:          {bot_cpu * 1000:.1f} ms CPU, {bot_wall * 1000:.0f} ms wall")
    print(f"ratio: {bot_cpu / echo_cpu:.1f}x (goal <= 3x)")


if __name__ == "__main__":
    asyncio.run(main())
