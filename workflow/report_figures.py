"""The figures the regional centre grades organisations by, from each incident's facts.

An incident counts for every organisation it was routed to and did not decline ("not ours"
counts apart, for the organisation that said it). In time / late is the answer deadline as
stored (п.9, п.17): met by its due moment, met after it, or still running past it (late
without an answer yet). Times are working time: the answer's on the centre's calendar (the
answer clock's party), "not ours" on the organisation's.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from workflow.model import DeadlineState, IncidentStatus

DISMISSED = "dismissed"  # п.10 "no answer needed" (IncidentStatus.DISMISSED once it exists)
OPEN = frozenset(status.value for status in (IncidentStatus.NEW, IncidentStatus.IN_WORK)) | {
    IncidentStatus.INTERIM.value
}


def is_dismissed(status: str) -> bool:
    """The one predicate for a п.10 dismissal ("no answer needed"), whether or not
    IncidentStatus has the member yet."""
    return status == DISMISSED


MET, RUNNING = DeadlineState.MET.value, DeadlineState.RUNNING.value

# elapsed(org_code or None for the centre, start, end): working time between two moments.
Elapsed = Callable[[str | None, datetime, datetime], timedelta]


@dataclass(slots=True)  # not frozen: a report builds 100,000s of these, frozen init is slow
class Clock:
    """An answer deadline as the deadlines table keeps it."""

    due_at: datetime
    state: str  # a DeadlineState value (plain strings: reports read many)
    ended_at: datetime | None = None

    def met_in_time(self) -> bool:
        return self.state == MET and self.ended_at is not None and (self.ended_at <= self.due_at)

    def late(self, now: datetime) -> bool:
        if self.state == MET:
            return self.ended_at is not None and self.ended_at > self.due_at
        return self.state == RUNNING and self.due_at < now


@dataclass(slots=True)
class Return:
    """A draft returned with the reasons of п.14."""

    org_code: str
    at: datetime
    reasons: tuple[str, ...]
    comment: str | None = None
    draft_number: int = 0


@dataclass(slots=True)
class Decline:
    """ "Not ours" (п.11): when the organisation got the incident and when it said so."""

    org_code: str
    received_at: datetime
    declined_at: datetime


@dataclass(slots=True)
class IncidentFacts:
    id: int
    detected_at: datetime
    status: str  # an IncidentStatus value, or DISMISSED
    importance: str
    url: str
    orgs: tuple[str, ...] = ()  # routed to and not declined
    routed_at: datetime | None = None
    answer: Clock | None = None
    final: Clock | None = None  # п.18, after an interim answer
    interim_at: datetime | None = None
    answer_at: datetime | None = None  # the final (or only) answer published
    returns: tuple[Return, ...] = ()
    declines: tuple[Decline, ...] = ()
    no_answer_reason: str | None = None
    dismissal_ground: str | None = None

    @property
    def first_answer_at(self) -> datetime | None:
        """When the author first got an answer, interim or final."""
        moments = [m for m in (self.interim_at, self.answer_at) if m is not None]
        return min(moments) if moments else None

    def overdue(self, now: datetime) -> bool:
        if self.status not in OPEN:
            return False
        return any(
            c is not None and c.late(now) and c.state == RUNNING for c in (self.answer, self.final)
        )


@dataclass(frozen=True, slots=True)
class Figures:
    received: int = 0
    in_time: int = 0
    late: int = 0
    without_interim: int = 0
    with_interim: int = 0
    final_in_time: int = 0  # of those with an interim answer: the final one in time (п.18)
    mean_hours: float | None = None
    median_hours: float | None = None
    returns: int = 0
    reasons: tuple[tuple[str, int], ...] = ()  # п.14 reasons, most frequent first
    not_ours: int = 0
    not_ours_mean_minutes: float | None = None
    closed_p21: int = 0
    dismissed: int = 0
    open_now: int = 0
    overdue_now: int = 0

    @property
    def judged(self) -> int:
        return self.in_time + self.late

    @property
    def in_time_share(self) -> float | None:
        return self.in_time / self.judged if self.judged else None

    @property
    def late_share(self) -> float | None:
        return self.late / self.judged if self.judged else None

    @property
    def returns_per_incident(self) -> float:
        return self.returns / self.received if self.received else 0.0


def _mean_median(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return statistics.fmean(values), statistics.median(values)


def figures(
    facts: Iterable[IncidentFacts],
    now: datetime,
    elapsed: Elapsed,
    *,
    org_code: str | None = None,
    declines: Iterable[Decline] = (),
) -> Figures:
    """The figures over `facts` (already those of the organisation, if `org_code`); its
    returns only, and the "not ours" of `declines`."""
    received = in_time = late = without = with_interim = final_ok = 0
    closed = dismissed = open_now = overdue = 0
    hours: list[float] = []
    reasons: Counter[str] = Counter()
    returns = 0
    for fact in facts:
        received += 1
        if fact.answer is not None:
            in_time += fact.answer.met_in_time()
            late += fact.answer.late(now)
        if fact.interim_at is not None:
            with_interim += 1
            final_ok += fact.final is not None and fact.final.met_in_time()
        elif fact.answer_at is not None:
            without += 1
        first = fact.first_answer_at
        if first is not None:
            hours.append(elapsed(None, fact.detected_at, first).total_seconds() / 3600)
        for item in fact.returns:
            if org_code is None or item.org_code == org_code:
                returns += 1
                reasons.update(item.reasons)
        closed += fact.status == IncidentStatus.CLOSED_NO_ANSWER.value
        dismissed += is_dismissed(fact.status)
        open_now += fact.status in OPEN
        overdue += fact.overdue(now)
    minutes = [
        elapsed(d.org_code, d.received_at, d.declined_at).total_seconds() / 60 for d in declines
    ]
    mean, median = _mean_median(hours)
    return Figures(
        received=received,
        in_time=in_time,
        late=late,
        without_interim=without,
        with_interim=with_interim,
        final_in_time=final_ok,
        mean_hours=mean,
        median_hours=median,
        returns=returns,
        reasons=tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        not_ours=len(minutes),
        not_ours_mean_minutes=statistics.fmean(minutes) if minutes else None,
        closed_p21=closed,
        dismissed=dismissed,
        open_now=open_now,
        overdue_now=overdue,
    )


@dataclass(frozen=True, slots=True)
class WeekPoint:
    monday: date
    in_time: int
    late: int


def weekly_trend(
    facts: Iterable[IncidentFacts], mondays: Sequence[date], tz: ZoneInfo, now: datetime
) -> list[WeekPoint]:
    """In time and late per week of detection (the centre's dates)."""
    counts = {monday: [0, 0] for monday in mondays}
    for fact in facts:
        if fact.answer is None:
            continue
        day = fact.detected_at.astimezone(tz).date()
        slot = counts.get(day - timedelta(days=day.weekday()))
        if slot is None:
            continue
        slot[0] += fact.answer.met_in_time()
        slot[1] += fact.answer.late(now)
    return [WeekPoint(monday, *counts[monday]) for monday in mondays]


def per_organisation(
    facts: Sequence[IncidentFacts], org_codes: Iterable[str], now: datetime, elapsed: Elapsed
) -> dict[str, Figures]:
    by_org: dict[str, list[IncidentFacts]] = {code: [] for code in org_codes}
    declines: dict[str, list[Decline]] = {code: [] for code in by_org}
    for fact in facts:
        for code in fact.orgs:
            by_org.setdefault(code, []).append(fact)
        for decline in fact.declines:
            declines.setdefault(decline.org_code, []).append(decline)
    codes = sorted(set(by_org) | set(declines))
    return {
        code: figures(
            by_org.get(code, []), now, elapsed, org_code=code, declines=declines.get(code, [])
        )
        for code in codes
    }


def all_declines(facts: Iterable[IncidentFacts]) -> list[Decline]:
    return [decline for fact in facts for decline in fact.declines]
