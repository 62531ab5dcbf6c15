"""Benchmark one deadline-scanner tick over 100,000 open incidents on SQLite.

Run by hand from the repository root: `python bench/bench_scanner.py [incidents]`.
Builds a migrated SQLite database in a temporary directory with bulk inserts: per incident
an assignment, a met routing clock and two running clocks (answer, draft) whose next
alerts are spread one second apart, so that each tick 5 seconds later finds about five
due. Prints the time of the first tick after a start (the full sweep for unset ladders),
of ticks with a handful due (goal: < 50 ms), of an idle tick, and of a tick that sets up
the ladders of a few new deadlines.

`--statements` (also run after the timings) counts the SQL statements of each step on a small
seeded database with an engine `before_cursor_execute` listener: a curator's press, the
poke after it (a settle of the new ladders, no scan), an idle tick, ticks that fire.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, insert, select, text

from bot.clock import ManualClock
from bot.deadlines.scanner import DeadlineScanner
from bot.deadlines.scheduler import DeadlineScheduler
from bot.services.calendars import CalendarConfig
from bot.services.incidents import IncidentService
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import AssignmentRow, DeadlineRow, IncidentRow, OutboxRow
from tests.support.directory_seed import seed_directory
from workflow.calendar import CalendarOverrides, WorkingCalendar
from workflow.commands import Route
from workflow.model import Post, Source
from workflow.policy import Policy

MSK = ZoneInfo("Europe/Moscow")
BASE = datetime(2026, 5, 20, 10, 0, tzinfo=MSK).astimezone(UTC)
CONFIG = CalendarConfig(
    timezone="Europe/Moscow",
    office_hours="mon-fri 09:00-18:00 break 13:00-14:00",
    always=False,
    overrides=CalendarOverrides(),
)
CENTRE = WorkingCalendar.russian("Europe/Moscow")
CHUNK = 10_000
FIRST_ALERT = BASE + timedelta(seconds=60)


def rows_for(first: int, last: int, total: int) -> tuple[list[dict], list[dict], list[dict]]:
    """Incident i's answer clock reaches half-time i seconds after FIRST_ALERT."""
    incidents, assignments, deadlines = [], [], []
    for i in range(first, last):
        half = FIRST_ALERT + timedelta(seconds=i)
        started = CENTRE.subtract(half, timedelta(minutes=90)).astimezone(UTC)
        due = CENTRE.add(half, timedelta(minutes=90)).astimezone(UTC)
        incidents.append(
            {
                "id": i,
                "source": "vk",
                "url": f"https://vk.com/wall-1_{i}",
                "external_id": str(i),
                "text": "Яма на дороге",
                "attachments": [],
                "detected_at": started,
                "status": "in_work",
                "importance": "normal",
                "topic": "Дороги",
                "location": "ул. Ленина",
                "consolidated": False,
                "version": 3,
                "flags": [],
                "suggested_orgs": [],
                "created_at": started,
                "updated_at": started,
            }
        )
        assignments.append(
            {
                "incident_id": i,
                "org_code": "roads" if i % 2 else "parks",
                "status": "sent",
                "received_at": started,
                "consolidator": False,
            }
        )
        common = {"incident_id": i, "started_at": started, "ended_at": None, "draft_number": None}
        deadlines += [
            {
                **common,
                "position": 0,
                "kind": "answer",
                "party": "everyone",
                "org_code": None,
                "due_at": due,
                "state": "running",
                "next_alert_at": half,
                "alert_stage": 0,
            },
            {
                **common,
                "position": 1,
                "kind": "route",
                "party": "centre",
                "org_code": None,
                "due_at": BASE + timedelta(minutes=30),
                "state": "met",
                "ended_at": BASE - timedelta(minutes=10),
                "next_alert_at": None,
                "alert_stage": 0,
            },
            {
                **common,
                "position": 2,
                "kind": "draft",
                "party": "organisation",
                "org_code": "roads" if i % 2 else "parks",
                "due_at": CENTRE.add(due, timedelta(hours=8)).astimezone(UTC),
                "state": "running",
                "next_alert_at": FIRST_ALERT + timedelta(seconds=total + i),
                "alert_stage": 0,
            },
        ]
    return incidents, assignments, deadlines


PLANS = {
    "due": "SELECT id FROM deadlines WHERE next_alert_at <= '2026-05-20 07:01:00'"
    " ORDER BY next_alert_at, id LIMIT 500",
    "new rows": "SELECT id FROM deadlines WHERE id > 300000 AND (+ state) = 'running'"
    " AND (+ next_alert_at) IS NULL AND alert_stage = 0 ORDER BY id LIMIT 500",
    "full sweep": "SELECT id FROM deadlines WHERE state = 'running'"
    " AND (+ next_alert_at) IS NULL AND alert_stage = 0 LIMIT 500",
}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


async def main(total: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}")
        await upgrade(engine)
        sessions = create_session_factory(engine)
        started = time.perf_counter()
        async with sessions() as session, session.begin():
            await seed_directory(session)
            for first in range(1, total + 1, CHUNK):
                incidents, assignments, deadlines = rows_for(
                    first, min(first + CHUNK, total + 1), total
                )
                # Core inserts (executemany): the ORM's bulk path inserts row by row here.
                await session.execute(insert(IncidentRow.__table__), incidents)
                await session.execute(insert(AssignmentRow.__table__), assignments)
                await session.execute(insert(DeadlineRow.__table__), deadlines)
        print(
            f"inserted {total:,} open incidents, {3 * total:,} deadlines"
            f" in {time.perf_counter() - started:.1f} s"
        )
        async with sessions() as session:
            for name, query in PLANS.items():
                plan = await session.execute(text(f"EXPLAIN QUERY PLAN {query}"))
                print(f"plan of the {name} query:", "; ".join(str(row[-1]) for row in plan))

        clock = ManualClock(BASE)
        scanner = DeadlineScanner(sessions, clock, CONFIG)
        started = time.perf_counter()
        report = await scanner.tick()
        print(
            f"first tick after start (full sweep, {report.claimed} claimed): "
            f"{ms(time.perf_counter() - started)}"
        )

        timings, fired = [], []
        for k in range(1, 41):
            clock.set(FIRST_ALERT + timedelta(seconds=5 * k))
            started = time.perf_counter()
            report = await scanner.tick()
            timings.append(time.perf_counter() - started)
            fired.append(report.fired)
        print(
            f"ticks with a handful due ({min(fired)}-{max(fired)} alerts each, 40 ticks):"
            f" median {ms(statistics.median(timings))}, max {ms(max(timings))}"
        )

        idle = []
        for _ in range(20):
            started = time.perf_counter()
            report = await scanner.tick()
            idle.append(time.perf_counter() - started)
            assert report.fired == 0
        print(f"idle tick: median {ms(statistics.median(idle))}")

        async with sessions() as session, session.begin():
            top = int((await session.execute(select(func.max(DeadlineRow.id)))).scalar() or 0)
            for n in range(5):
                await session.execute(
                    insert(DeadlineRow.__table__),
                    [
                        {
                            "incident_id": 1 + n,
                            "position": 3,
                            "kind": "review",
                            "party": "centre",
                            "org_code": None,
                            "started_at": clock.now(),
                            "due_at": clock.now() + timedelta(minutes=30),
                            "state": "running",
                            "next_alert_at": None,
                            "alert_stage": 0,
                        }
                    ],
                )
        started = time.perf_counter()
        report = await scanner.tick()
        print(
            f"tick setting up {report.claimed} new ladders (ids above {top}):"
            f" {ms(time.perf_counter() - started)}"
        )
        async with sessions() as session:
            written = (await session.execute(select(func.count()).select_from(OutboxRow))).scalar()
        print(f"outbox rows written in all: {written}")
        await engine.dispose()


def msk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=MSK)  # type: ignore[misc]


async def statements() -> None:
    """SQL statements per step, three incidents open (SQLite)."""
    with tempfile.TemporaryDirectory() as directory:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(directory) / 'count.sqlite3'}")
        await upgrade(engine)
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            people = await seed_directory(session)
        clock = ManualClock(msk(2026, 5, 20, 10, 0))
        scheduler = DeadlineScheduler(DeadlineScanner(sessions, clock, CONFIG), None, clock)
        service = IncidentService(sessions, clock, Policy(), CONFIG)
        seen: list[str] = []
        event.listen(
            engine.sync_engine, "before_cursor_execute", lambda *args: seen.append(args[2])
        )

        def count(step: str) -> None:
            print(f"{step}: {len(seen)} statements")
            seen.clear()

        for number in range(3):
            url = f"https://vk.com/wall-1_{number}"
            await service.detect(Post(Source.VK, url, "Яма", external_id=str(number)))
        await scheduler.tick()
        seen.clear()
        clock.set(msk(2026, 5, 20, 10, 5))
        await service.perform(
            3, people.people["curator"], Route(org_codes=("roads",), topic="Дороги", location="-")
        )
        count("a press (route)")
        await scheduler.settle()
        count("the poke after it (settle: the new ladders set up)")
        clock.set(msk(2026, 5, 20, 10, 6))
        await scheduler.tick()
        count("an idle tick")
        clock.set(msk(2026, 5, 20, 10, 30))
        report = await scheduler.tick()
        count(f"a tick firing {report.fired} reminders")
        clock.set(msk(2026, 5, 20, 11, 0))
        report = await scheduler.tick()
        count(f"a tick firing {report.fired} overdue alerts (cards redrawn)")
        await engine.dispose()


if __name__ == "__main__":
    if "--statements" in sys.argv:
        asyncio.run(statements())
    else:
        asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
        asyncio.run(statements())
