"""The figures of a period from what SQL counted and chose per incident (issue 13).

The same figures as `report_figures.figures` over `IncidentFacts` (docs/reports.md), from
plain tuples: SQL chooses each incident's answer clock and compares its moments (the flags
below), so no object is built per incident; what is left per incident here is counting and
its working time to the first answer, through a `WorkingTable`.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workflow.calendar import WorkingCalendar
from workflow.model import IncidentStatus
from workflow.report_figures import OPEN, Decline, Elapsed, Figures, WeekPoint, is_dismissed
from workflow.working_table import from_us, to_us, working_hours

# An answer clock as SQL judges it (None: the incident has none).
IN_TIME, LATE_MET, LATE_RUNNING, NEITHER = 1, 2, 3, 0
LATE = frozenset({LATE_MET, LATE_RUNNING})
CLOSED_NO_ANSWER = IncidentStatus.CLOSED_NO_ANSWER.value

# One row per incident and organisation it was routed to and did not decline (None: none):
# (incident id, org code, status, interim published, answer flag, final flag,
#  detected at, first answer published at); a row may carry more columns, not read here.
IncidentRow = tuple[int, str | None, str, bool, int | None, int | None, datetime, datetime | None]
# A returned draft: (its organisation, which kept the incident; the п.14 reasons).
ReturnRow = tuple[str, bool, tuple[str, ...]]


@dataclass(slots=True)
class PeriodRows:
    """What the database gives for the figures of a period."""

    incidents: list[IncidentRow] = field(default_factory=list)
    returns: list[ReturnRow] = field(default_factory=list)
    declines: list[Decline] = field(default_factory=list)


@dataclass(slots=True)
class _Tally:
    kinds: Counter[tuple[str, bool, int | None, int | None, bool]] = field(default_factory=Counter)
    hours: list[float] = field(default_factory=list)
    returns: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    declines: list[Decline] = field(default_factory=list)

    def figures(self, elapsed: Elapsed) -> Figures:
        received = in_time = late = without = with_interim = final_ok = 0
        closed = dismissed = open_now = overdue = 0
        for (status, interim, answer, final, answered), count in self.kinds.items():
            received += count
            in_time += count * (answer == IN_TIME)
            late += count * (answer in LATE)
            if interim:
                with_interim += count
                final_ok += count * (final == IN_TIME)
            elif answered:
                without += count
            closed += count * (status == CLOSED_NO_ANSWER)
            dismissed += count * is_dismissed(status)
            if status in OPEN:
                open_now += count
                overdue += count * (LATE_RUNNING in (answer, final))
        minutes = [
            elapsed(d.org_code, d.received_at, d.declined_at).total_seconds() / 60
            for d in self.declines
        ]
        hours = self.hours
        return Figures(
            received=received,
            in_time=in_time,
            late=late,
            without_interim=without,
            with_interim=with_interim,
            final_in_time=final_ok,
            mean_hours=statistics.fmean(hours) if hours else None,
            median_hours=statistics.median(hours) if hours else None,
            returns=self.returns,
            reasons=tuple(sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))),
            not_ours=len(minutes),
            not_ours_mean_minutes=statistics.fmean(minutes) if minutes else None,
            closed_p21=closed,
            dismissed=dismissed,
            open_now=open_now,
            overdue_now=overdue,
        )


@dataclass(frozen=True, slots=True)
class PeriodSums:
    total: Figures  # each incident once, every return and "not ours"
    per_org: dict[str, Figures]  # sorted by code
    weeks: list[WeekPoint]


def period_sums(
    rows: PeriodRows,
    codes: Iterable[str],
    centre: WorkingCalendar | None,
    elapsed: Elapsed,
    mondays: Sequence[date] = (),
    tz: ZoneInfo | None = None,
) -> PeriodSums:
    """The figures of the whole period, of each organisation (`codes` and any the rows
    name) and, given `mondays` and the centre's zone, the weekly trend of in time / late.
    The time to the answer counts on `centre` (the answer clock's calendar; None: ask
    `elapsed`, one span at a time)."""
    total, by_org = _Tally(), {code: _Tally() for code in codes}
    incidents = rows.incidents
    # Counted by kind, not incident by incident: the loops run in C.
    first_rows = {row[0]: row for row in incidents}  # an incident kept by two: counted once
    total.kinds.update((r[2], r[3], r[4], r[5], r[7] is not None) for r in first_rows.values())
    for (org, *kind), count in Counter(
        (r[1], r[2], r[3], r[4], r[5], r[7] is not None) for r in incidents if r[1] is not None
    ).items():
        _tally(by_org, org).kinds[tuple(kind)] += count  # type: ignore[index]
    answered = [row for row in first_rows.values() if row[7] is not None]
    spans = [(row[6], row[7]) for row in answered]
    if centre is not None:
        hours = working_hours(centre, spans)  # type: ignore[arg-type]
    else:
        hours = [
            elapsed(None, from_us(start), from_us(end)).total_seconds() / 3600
            for start, end in spans  # type: ignore[misc]
        ]
    total.hours = hours
    by_incident = {row[0]: value for row, value in zip(answered, hours, strict=True)}
    for incident, org, *_ in incidents:
        if org is not None and incident in by_incident:
            by_org[org].hours.append(by_incident[incident])
    for (org, kept, reasons), count in Counter(rows.returns).items():  # few kinds, many rows
        tallies = (total, _tally(by_org, org)) if kept else (total,)
        for tally in tallies:
            tally.returns += count
            for reason in reasons:
                tally.reasons[reason] += count
    for decline in rows.declines:
        total.declines.append(decline)
        _tally(by_org, decline.org_code).declines.append(decline)
    weeks = _weeks(first_rows.values(), mondays, tz) if tz is not None else []
    return PeriodSums(
        total=total.figures(elapsed),
        per_org={code: by_org[code].figures(elapsed) for code in sorted(by_org)},
        weeks=weeks,
    )


def _tally(by_org: dict[str, _Tally], org: str) -> _Tally:
    tally = by_org.get(org)
    if tally is None:
        tally = by_org[org] = _Tally()
    return tally


def _weeks(rows: Iterable[IncidentRow], mondays: Sequence[date], tz: ZoneInfo) -> list[WeekPoint]:
    """In time and late per week of detection (the centre's dates)."""
    bounds = sorted(
        (to_us(datetime.combine(monday, time(0), tz)),
         to_us(datetime.combine(monday + timedelta(days=7), time(0), tz)), monday)
        for monday in mondays
    )  # fmt: skip
    starts = [start for start, _, _ in bounds]
    counts = {monday: [0, 0] for monday in mondays}
    for row in rows:
        answer = row[4]
        if answer is None:
            continue
        t = row[6]
        index = bisect_right(starts, t) - 1
        if index < 0 or t >= bounds[index][1]:
            continue
        slot = counts[bounds[index][2]]
        slot[0] += answer == IN_TIME
        slot[1] += answer in LATE
    return [WeekPoint(monday, *counts[monday]) for monday in mondays]
