"""A 24/7 calendar for tests that do not care about office hours."""

from __future__ import annotations

from datetime import datetime, timedelta


class AroundTheClock:
    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration

    def subtract(self, end: datetime, duration: timedelta) -> datetime:
        return end - duration

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return max(end - start, timedelta(0))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        return start + timedelta(days=days)
