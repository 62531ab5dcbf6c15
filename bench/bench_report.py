"""Benchmark one period report over 100,000 incidents, on SQLite and on PostgreSQL.

Run by hand from the repository root: `python bench/bench_report.py [incidents]`.
Fills a migrated database (a temporary SQLite file; a throw-away PostgreSQL server when its
binaries are installed) with two years of incidents (2025 and 2026, as many in each: the
rating compares the year with the one before) spread over three organisations: each with
its assignment, a met answer clock (one in eight late), a published answer; one in ten with
a returned draft, one in twenty with an interim answer and a final clock, one in fifty
declined ("not ours") first; one in a hundred still in work (its answer clock running).

Times the figures of the whole year with its rating against 2025 (goal: ≤ 2 s) several
times each way, in the same run: first with every incident judged at report time (no
report facts stored: the code before them, and what a report costs until the housekeeper
has stored them), then after the housekeeper stored the closed incidents' facts (as it
does at start and every hour). Then one organisation's, the year with each incident's
facts (which only the table needs), the XLSX and the chart.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from bot.clock import ManualClock
from bot.housekeeping import Housekeeper, RetentionPolicy
from bot.i18n import Translator
from bot.services.calendars import CalendarConfig
from bot.services.period_reports import PeriodReports
from bot.views.report_chart import chart_png
from bot.views.report_table import xlsx_bytes
from db.engine import create_engine, create_session_factory
from db.migrate import upgrade
from db.models import AssignmentRow, DeadlineRow, DraftRow, IncidentRow, ReviewRow
from tests.support.directory_seed import seed_directory
from tests.support.pg_server import find_pg_bin, running_postgres
from workflow.calendar import CalendarOverrides
from workflow.rating import RatingWeights
from workflow.report_periods import Period

CONFIG = CalendarConfig(
    timezone="Europe/Moscow",
    office_hours="mon-fri 09:00-18:00 break 13:00-14:00",
    always=False,
    overrides=CalendarOverrides(),
)
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
START = datetime(2025, 1, 1, 6, 0, tzinfo=UTC)  # 2025: the previous year, as full as 2026
ORGS = ("roads", "parks", "water")
CHUNK = 5_000
GOAL_SECONDS = 2.0
RUNS = 5  # timed runs each way, after a warm one


def rows(first: int, last: int, total: int) -> dict[str, list[dict[str, Any]]]:
    step = timedelta(seconds=365 * 86400 / total)
    out: dict[str, list[dict[str, Any]]] = {
        "incidents": [], "assignments": [], "deadlines": [], "drafts": [], "reviews": []
    }  # fmt: skip
    for i in range(first, last):
        detected = START + step * (i - 1)
        org = ORGS[i % 3]
        due = detected + timedelta(hours=3)
        answered = detected + timedelta(hours=4 if i % 8 == 0 else 2)
        in_work = i % 100 == 1  # none of the cases below
        out["incidents"].append({
            "id": i, "source": "vk", "url": f"https://vk.com/wall-1_{i}", "external_id": str(i),
            "text": "Яма на дороге", "attachments": [], "detected_at": detected,
            "status": "in_work" if in_work else "answered", "importance": "normal",
            "consolidated": False, "version": 5, "flags": [], "suggested_orgs": [],
            "created_at": detected, "updated_at": answered,
        })  # fmt: skip
        out["assignments"].append({
            "incident_id": i, "org_code": org, "status": "taken" if in_work else "done",
            "received_at": detected, "consolidator": False,
        })  # fmt: skip
        if in_work:
            out["deadlines"].append({
                "incident_id": i, "position": 0, "kind": "answer", "party": "everyone",
                "org_code": None, "started_at": detected, "due_at": due, "state": "running",
                "ended_at": None, "alert_stage": 0,
            })  # fmt: skip
            continue
        deadlines = [("answer", "everyone", None, detected, due, answered)]
        if i % 50 == 0:
            other = ORGS[(i + 1) % 3]
            out["assignments"].append({
                "incident_id": i, "org_code": other, "status": "declined",
                "received_at": detected, "consolidator": False,
            })  # fmt: skip
            moment = detected + timedelta(minutes=20)
            deadlines.append(("reroute", "centre", other, moment, moment, moment))
        if i % 20 == 0:
            final = answered + timedelta(days=3)
            deadlines.append(("final_answer", "everyone", None, answered, final, final))
        for position, (kind, party, code, started, until, ended) in enumerate(deadlines):
            out["deadlines"].append({
                "incident_id": i, "position": position, "kind": kind, "party": party,
                "org_code": code, "started_at": started, "due_at": until, "state": "met",
                "ended_at": ended, "alert_stage": 0,
            })  # fmt: skip
        number = 1
        if i % 10 == 0:
            draft_id = i * 4
            out["drafts"].append(_draft(draft_id, i, number, org, "answer", "returned", None))
            out["reviews"].append({
                "draft_id": draft_id, "reviewer_id": 1, "at": detected, "approved": False,
                "reasons": ["spelling"],
            })  # fmt: skip
            number += 1
        kind = "interim" if i % 20 == 0 else "answer"
        out["drafts"].append(_draft(i * 4 + 1, i, number, org, kind, "published", answered))
    return out


def _draft(
    draft_id: int, incident: int, number: int, org: str, kind: str, status: str, at: Any
) -> dict[str, Any]:
    return {
        "id": draft_id, "incident_id": incident, "number": number, "org_code": org,
        "kind": kind, "version": 1, "text": "Ответ", "author_id": 1, "submitted_at": at or START,
        "status": status, "published_at": at,
    }  # fmt: skip


TABLES = {
    "incidents": IncidentRow,
    "assignments": AssignmentRow,
    "deadlines": DeadlineRow,
    "drafts": DraftRow,
    "reviews": ReviewRow,
}


async def run(url: str, total: int, label: str) -> float:
    engine = create_engine(url)
    try:
        await upgrade(engine)
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            await seed_directory(session)
        for first in range(1, 2 * total + 1, CHUNK):
            chunk = rows(first, min(2 * total + 1, first + CHUNK), total)
            async with sessions() as session, session.begin():
                for name, model in TABLES.items():
                    if chunk[name]:
                        await session.execute(insert(model.__table__), chunk[name])
        if engine.dialect.name == "postgresql":
            async with engine.connect() as connection:
                await connection.exec_driver_sql("ANALYZE")
        clock = ManualClock(datetime(2027, 1, 15, 9, 0, tzinfo=UTC))
        reports = PeriodReports(sessions, clock, CONFIG, RatingWeights())
        # warm: the directory snapshot, the calendars' caches
        await reports.build(YEAR, incidents=False)
        # The figures, as the summary and the chart need them (the table reads each
        # incident when it is drawn: timed with the XLSX); every incident judged.
        judged, judged_cpu, report = await figures(reports)
        started = time.perf_counter()
        stored = await Housekeeper(sessions, clock, RetentionPolicy()).store_report_facts()
        storing = time.perf_counter() - started
        if engine.dialect.name == "postgresql":
            async with engine.connect() as connection:
                await connection.exec_driver_sql("ANALYZE report_facts")
        # the first report after the facts were stored, then the usual ones
        started = time.perf_counter()
        first = await reports.build(YEAR, incidents=False)
        first_time = time.perf_counter() - started
        assert first.total == report.total and first.rating == report.rating
        whole, whole_cpu, report = await figures(reports)
        assert report.total == first.total
        started = time.perf_counter()
        await reports.build(YEAR, "roads", incidents=False)
        one = time.perf_counter() - started
        started = time.perf_counter()
        report = await reports.build(YEAR)
        facts = time.perf_counter() - started
        translator = Translator()

        def t(key: str, /, **params: Any) -> str:
            return translator.render(key, params, "ru")

        started = time.perf_counter()
        size = len(xlsx_bytes(report, t))
        table = time.perf_counter() - started
        started = time.perf_counter()
        chart_png(report, t, "Отчёт за 2026")
        chart = time.perf_counter() - started
        print(
            f"{label}: {report.total.received:,} incidents; figures of the year with its"
            f" rating (goal ≤ {GOAL_SECONDS:.0f} s), median (min–max) of {RUNS} runs:"
            f" every incident judged {_spread(judged)} ({statistics.median(judged_cpu):.2f} s"
            f" of this process's CPU); after the housekeeper stored {stored:,} incidents'"
            f" facts ({storing:.1f} s): the first report {first_time:.2f} s, then"
            f" {_spread(whole)} ({statistics.median(whole_cpu):.2f} s CPU);"
            f" of one organisation {one:.2f} s; with each incident's facts {facts:.1f} s,"
            f" then the XLSX {table:.1f} s ({size / 1e6:.1f} MB); chart {chart:.2f} s"
        )
        return max(whole)
    finally:
        await engine.dispose()


async def figures(reports: PeriodReports) -> tuple[list[float], list[float], Any]:
    """The figures of the year `RUNS` times: wall and CPU seconds of each, the report."""
    walls, cpus = [], []
    report = None
    for _ in range(RUNS):
        started, cpu = time.perf_counter(), time.process_time()
        report = await reports.build(YEAR, incidents=False)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, report


def _spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f})"


async def main(total: int) -> int:
    times = []
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}"
        times.append(await run(url, total, "SQLite"))
    if find_pg_bin() is not None:
        with running_postgres() as url:
            times.append(await run(url, total, "PostgreSQL"))
    else:
        print("PostgreSQL: server binaries not installed, skipped")
    return 0 if max(times) <= GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)))
