"""Two bot processes behind one webhook, on PostgreSQL and Redis, with a kill -9 of one.

Two real `python -m bot run` processes serve one bot: Telegram's webhook reaches them through
a balancer (tests/support/balancer.py), the monitoring software posts 200 incidents to both
intake APIs (retrying at the other when one does not answer), and the process that sends the
outbox is killed with SIGKILL halfway. Nothing is lost (every incident's card arrives, every
row is sent, a person's message is answered), nothing is doubled (one card per incident and
chat, but for a request on the way at the kill), and the two together keep Telegram's limits.
"""

from __future__ import annotations

import asyncio
import io
import json
import socket
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa

from bot.directory_cli import import_directory_file
from bot.outbox.limits import SenderLimits
from db.engine import create_engine
from db.models import IncidentCard, IncidentRow, OutboxRow
from tests.e2e.harness import ADMIN, DIRECTORY, MANAGER, ROADS_1
from tests.support.balancer import Balancer
from tests.support.bot_process import BotProcess
from tests.support.fake_telegram import TOKEN, FakeTelegram, limit_violations

pytestmark = pytest.mark.postgres

INCIDENTS = 200
API_TOKEN = "intake-token-0123456789abcdef"
SECRET = "two-processes-secret-0123"
RATES = {"global_per_second": 60.0, "group_per_minute": 1000.0, "chat_per_second": 40.0}
ELECTED = "this process is the sender now"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _incident(n: int) -> bytes:
    body = {
        "source": "vk",
        "url": f"https://vk.com/wall-777_{n}",
        "author_name": f"Житель {n}",
        "author_url": f"https://vk.com/id{100000 + n}",
        "text": f"Обращение {n}: на улице {n} не горят фонари у дома {n * 7}.",
        "published_at": "2026-04-29T09:40:00+03:00",
        "external_id": f"mon-{n}",
    }
    return json.dumps(body, ensure_ascii=False).encode()


async def _post_all(backends: list[str], statuses: dict[int, int]) -> None:
    """Post every incident to the backends in turn, 8 at a time; a backend that does not
    answer is tried again at the other, as monitoring software retries."""
    headers = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(INCIDENTS):
        queue.put_nowait(n)

    async def worker(http: aiohttp.ClientSession) -> None:
        while not queue.empty():
            n = queue.get_nowait()
            answers: list[int | str] = []
            for attempt in range(20):
                backend = backends[(n + attempt) % len(backends)]
                try:
                    async with http.post(
                        f"{backend}/api/v1/incidents", data=_incident(n), headers=headers
                    ) as answer:
                        answers.append(answer.status)
                        if answer.status in (200, 201):
                            statuses[n] = answer.status
                            break
                except aiohttp.ClientError as error:
                    answers.append(repr(error))
                await asyncio.sleep(0.05)
            else:
                raise AssertionError(f"incident {n} was never accepted: {answers}")

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as http:
        await asyncio.gather(*(worker(http) for _ in range(8)))


def _card_messages(fake: FakeTelegram, chat_id: int, incident_id: int) -> int:
    marker = f"№{incident_id}</b>"
    return sum(marker in (m.content or "") for m in fake.bot_messages(chat_id))


@pytest.mark.parametrize("database_kind", [pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_two_processes_behind_the_webhook_survive_a_kill_9(
    database_url: str, redis_url: str, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake_telegram.latency = 0.01
    engine = create_engine(database_url)
    ports = [_free_port(), _free_port()]
    backends = [f"http://127.0.0.1:{port}" for port in ports]
    balancer = Balancer(backends)
    await balancer.start()
    common = {
        "BOT_TOKEN": TOKEN,
        "BOT_API_BASE": fake_telegram.url,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "WEBHOOK_URL": f"{balancer.url}/telegram/webhook",
        "WEBHOOK_SECRET": SECRET,
        "INTAKE_API_TOKEN": API_TOKEN,
        "INTAKE_RATE_PER_MINUTE": "60000",  # all the test's requests come from one address
        "INTAKE_RATE_BURST": "1000",
        "CALENDAR_MODE": "always",
        "DIGEST_TIME": "off",  # a morning digest would be one more message to a manager
        "SENDER_GLOBAL_PER_SECOND": str(RATES["global_per_second"]),
        "SENDER_GROUP_PER_MINUTE": str(RATES["group_per_minute"]),
        "SENDER_CHAT_PER_SECOND": str(RATES["chat_per_second"]),
        "OUTBOX_FLOOD_THRESHOLD": "100000",  # every card on its own: each one is counted
        "OUTBOX_POLL_SECONDS": "0.2",
        "SENDER_ELECTION_SECONDS": "0.3",
        "LOG_LEVEL": "INFO",
    }
    bots = [
        BotProcess(name, tmp_path / name, {**common, "INTAKE_PORT": str(port)})
        for name, port in zip(("a", "b"), ports, strict=True)
    ]
    for bot in bots:
        bot.start()
    # The directory is imported while they start (they read it when first needed).
    directory = tmp_path / "directory.yaml"
    directory.write_text(DIRECTORY, encoding="utf-8")
    assert await import_directory_file(engine, directory, out=io.StringIO()) == 0
    statuses: dict[int, int] = {}
    try:
        for bot in bots:
            await bot.until(lambda: len(fake_telegram.calls_of("setWebhook")) == 2, 90)
        await bots[0].until(lambda: any(ELECTED in b.output() for b in bots), 30)
        [leader] = [b for b in bots if ELECTED in b.output()]
        [survivor] = [b for b in bots if b is not leader]

        # People write: the balancer hands their updates to one process and then the other.
        for person in (MANAGER, ROADS_1):
            fake_telegram.user_message(person, "/start")
        await leader.until(
            lambda: (
                all(fake_telegram.bot_messages(p) for p in (MANAGER, ROADS_1))
                and len(balancer.forwarded) == 2
            )  # answered after the reply may have been sent
        )
        served = {backend for backend, _ in balancer.forwarded}
        assert served == set(backends), (balancer.failures, [b.output()[-3000:] for b in bots])

        posting = asyncio.create_task(_post_all(backends, statuses))
        await leader.until(lambda: len(fake_telegram.calls_of("sendMessage")) >= 40, 60)
        await leader.kill()
        fake_telegram.user_message(ADMIN, "/start")  # reaches the survivor through the webhook
        await posting

        async def settled() -> bool:
            async with engine.connect() as connection:
                waiting = await connection.scalar(
                    sa.select(sa.func.count()).where(OutboxRow.state != "sent")
                )
            return waiting == 0 and len(statuses) == INCIDENTS

        async with asyncio.timeout(60):
            while not await settled():
                assert survivor.running(), survivor.output()[-4000:]
                await asyncio.sleep(0.1)
        await survivor.until(
            lambda: fake_telegram.bot_messages(ADMIN) and len(fake_telegram.webhook_deliveries) >= 3
        )
        async with engine.connect() as connection:
            incidents = await connection.scalar(sa.select(sa.func.count(IncidentRow.id)))
            cards = (await connection.execute(sa.select(IncidentCard))).all()
            failed = await connection.scalar(
                sa.select(sa.func.count()).where(OutboxRow.state == "failed")
            )
        assert await survivor.terminate() == 0
    finally:
        for bot in bots:
            bot.close()
        await balancer.close()
        await engine.dispose()

    assert ELECTED in survivor.output()  # it took over the sending
    # Nothing lost: every incident stored once, every card delivered, nothing failed.
    assert incidents == INCIDENTS
    assert failed == 0
    assert len({card.incident_id for card in cards}) == INCIDENTS
    # Nothing doubled: one card per incident and chat, but for a request on the way at the kill.
    counts = [_card_messages(fake_telegram, c.chat_id, c.incident_id) for c in cards]
    assert min(counts) == 1
    assert sum(count - 1 for count in counts) <= 1, [c for c in counts if c > 1]
    for card in cards:
        message = fake_telegram.message(card.chat_id, card.message_id or 0)
        assert f"№{card.incident_id}</b>" in (message.content or "")
    # Every person's message went through the webhook once, and was answered once.
    assert [d.outcome for d in fake_telegram.webhook_deliveries] == ["200"] * 3
    for person in (MANAGER, ROADS_1, ADMIN):
        assert len(fake_telegram.bot_messages(person)) == 1, person
    # Limits held by the two processes together.
    limits = SenderLimits.from_rates(**RATES)
    assert limit_violations(fake_telegram.calls, limits, slack=0.05) == []
