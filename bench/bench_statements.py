"""SQL statements per step: what one intake call, one press, one card render and the
scheduler's work after a press cost in round trips to the database.

Run by hand from the repository root: `python bench/bench_statements.py`. SQLite file, the
test directory seeded (two curators, two organisations with group chats); every figure is
the count of statements the engine executed for that step alone (a `before_cursor_execute`
listener), with the directory snapshot already warm as in a running bot.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select

from bot.clock import ManualClock
from bot.deadlines.scanner import DeadlineScanner
from bot.deadlines.scheduler import DeadlineScheduler
from bot.i18n import Translator
from bot.intake.service import IntakeService
from bot.services.calendars import CalendarConfig
from bot.services.incidents import IncidentService
from bot.views.renderer import OutboxRenderer
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import OutboxRow
from tests.support.directory_seed import seed_directory
from workflow.alerts import AlertPolicy
from workflow.calendar import CalendarOverrides
from workflow.commands import Route, SetImportance
from workflow.model import Importance, Post, Source
from workflow.policy import Policy

MSK = ZoneInfo("Europe/Moscow")
CONFIG = CalendarConfig(
    "Europe/Moscow", "mon-fri 09:00-18:00 break 13:00-14:00", False, CalendarOverrides()
)


async def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(directory) / 'count.sqlite3'}")
        await upgrade(engine)
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            people = await seed_directory(session)
        clock = ManualClock(datetime(2026, 5, 20, 10, 0, tzinfo=MSK))
        # As in the bot: a step sets its new deadlines' reminder ladders up itself.
        service = IncidentService(sessions, clock, Policy(), CONFIG, alert_policy=AlertPolicy())
        intake = IntakeService(service, sessions, clock)
        scheduler = DeadlineScheduler(DeadlineScanner(sessions, clock, CONFIG), None, clock)
        renderer = OutboxRenderer(Translator(), clock, Policy(), CONFIG)
        seen: list[str] = []
        event.listen(
            engine.sync_engine, "before_cursor_execute", lambda *args: seen.append(args[2])
        )
        figures: list[tuple[str, int]] = []

        def count(step: str) -> None:
            figures.append((step, len(seen)))
            seen.clear()

        def post(number: int) -> Post:
            return Post(
                Source.VK,
                f"https://vk.com/wall-1_{number}",
                f"Во дворе дома {number} не вывозят мусор",
                author_name=f"Житель {number}",
                external_id=str(number),
            )

        for number in range(3):  # warm: the directory snapshot, the calendars, the rules
            await intake.submit(post(number))
        await scheduler.tick()
        seen.clear()
        incident_id = (await intake.submit(post(10))).incident_id
        count("intake: a new post (validate, dedupe, triage, detect, cards)")
        await intake.submit(post(10))
        count("intake: the same post again")
        clock.set(datetime(2026, 5, 20, 10, 5, tzinfo=MSK))
        curator = people.people["curator"]
        route = Route(org_codes=("roads",), topic="Дороги", location="ул. Ленина")
        await service.check_press(incident_id, curator, Route)
        count("the check at the press (the incident kept, the guards)")
        await service.perform(incident_id, curator, route, reply_chat=people.telegram["curator"])
        count("a press: route (write, events, deadlines with their ladders, outbox)")
        await service.perform(incident_id, curator, SetImportance(Importance.HIGH))
        count("a press: high importance")
        async with sessions() as session:
            rows = list(
                (
                    await session.execute(
                        select(OutboxRow)
                        .where(OutboxRow.kind == "card", OutboxRow.incident_id == incident_id)
                        .order_by(OutboxRow.id.desc())
                        .limit(3)
                    )
                ).scalars()
            )
            seen.clear()
            await renderer.render_batch(session, rows)
            count(f"rendering {len(rows)} cards of the incident in one batch")
        clock.set(datetime(2026, 5, 20, 10, 6, tzinfo=MSK))
        await scheduler.tick()
        count("an idle scheduler tick")
        await engine.dispose()
    width = max(len(step) for step, _ in figures)
    for step, number in figures:
        print(f"{step:<{width}}  {number:>3} statements")


if __name__ == "__main__":
    asyncio.run(main())
