"""Benchmark `WorkingCalendar.add` for spans up to 5 working days (goal: median < 20 µs).

Run by hand from the repository root: `python bench/bench_calendar.py [calls]`.
Prints the median and p95 of single `add` calls in microseconds, with the per-date cache
warm (as in the running bot, where each office's calendar lives as long as the process)
and, for comparison, of the first calls on a fresh calendar.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflow.calendar import WorkingCalendar

FIVE_WORKING_DAYS = timedelta(hours=40)


def cases(count: int, seed: int = 1) -> list[tuple[datetime, timedelta]]:
    """Starts anywhere in 2025–2027 (working time or not), spans 1 minute to 5 working days."""
    rng = random.Random(seed)
    zone = ZoneInfo("Europe/Moscow")
    first = datetime(2025, 1, 1, tzinfo=zone)
    seconds_in_range = int(timedelta(days=3 * 365 - 10).total_seconds())
    result = []
    for _ in range(count):
        start = first + timedelta(seconds=rng.randrange(seconds_in_range))
        span = timedelta(minutes=rng.randint(1, int(FIVE_WORKING_DAYS.total_seconds() // 60)))
        result.append((start, span))
    return result


def timings_us(calendar: WorkingCalendar, work: list[tuple[datetime, timedelta]]) -> list[float]:
    add = calendar.add
    clock = time.perf_counter_ns
    result = []
    for start, span in work:
        before = clock()
        add(start, span)
        result.append((clock() - before) / 1000)
    return result


def report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{label:<36} median {statistics.median(ordered):6.2f} µs   p95 {p95:6.2f} µs"
        f"   ({len(ordered)} calls)"
    )


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    work = cases(calls)

    cold = WorkingCalendar.russian("Europe/Moscow")
    report("add, fresh calendar (first 2000)", timings_us(cold, work[:2000]))

    warm = WorkingCalendar.russian("Europe/Moscow")
    timings_us(warm, work)  # fills the per-date cache
    report("add, Europe/Moscow, warm", timings_us(warm, work))

    novosibirsk = WorkingCalendar.russian("Asia/Novosibirsk")
    timings_us(novosibirsk, work)
    report("add, Asia/Novosibirsk, warm", timings_us(novosibirsk, work))


if __name__ == "__main__":
    main()
