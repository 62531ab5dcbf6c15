"""November 2026 (and two October incidents per organisation for the rating's change).

Moscow office Mon–Fri 09–18, lunch 13–14 (UTC+3); roads keeps Novosibirsk time (UTC+7).
Detection at 07:00 UTC is 10:00 in Moscow. The answer is due 3 working hours later.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.reports.incident_rows import CANCELLED, MET, RUNNING, Row, utc
from workflow.model import AssignmentStatus as A
from workflow.model import DeadlineKind as K
from workflow.model import DraftKind as D

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
TAKEN, DONE, DECLINED = A.TAKEN, A.DONE, A.DECLINED


def answered(org: str, month: int, day: int, published: datetime) -> Row:
    detected = utc(month, day, 7)
    return Row(
        detected,
        orgs=[(org, DONE, detected)],
        deadlines=[(K.ANSWER, None, detected, utc(month, day, 10), MET, published)],
        drafts=[(D.ANSWER, org, published)],
    )


def november() -> list[Row]:
    one = answered("roads", 11, 2, utc(11, 2, 9))  # 2 h, in time
    two = answered("roads", 11, 3, utc(11, 3, 12))  # 4 h (lunch), late
    two.returns = [
        ("roads", utc(11, 3, 8), ["off_topic", "spelling"]),
        ("roads", utc(11, 3, 9), ["spelling"]),
    ]
    three = Row(  # interim after 1 h, the final one in time (п.18)
        utc(11, 5, 7),
        orgs=[("roads", DONE, utc(11, 5, 7))],
        deadlines=[
            (K.ANSWER, None, utc(11, 5, 7), utc(11, 5, 10), MET, utc(11, 5, 8)),
            (K.FINAL_ANSWER, None, utc(11, 5, 8), utc(11, 12, 8), MET, utc(11, 10, 8)),
        ],
        drafts=[(D.INTERIM, "roads", utc(11, 5, 8)), (D.ANSWER, "roads", utc(11, 10, 8))],
    )
    four = Row(  # parks' only incident: still open, overdue now
        utc(11, 27, 7),
        status="in_work",
        orgs=[("parks", TAKEN, utc(11, 27, 7))],
        deadlines=[(K.ANSWER, None, utc(11, 27, 7), utc(11, 27, 10), RUNNING, None)],
    )
    five = answered("water", 11, 9, utc(11, 9, 7, 30))  # 0.5 h; roads said "not ours" first
    five.orgs = [("roads", DECLINED, utc(11, 9, 7)), ("water", DONE, utc(11, 9, 7, 25))]
    five.deadlines.append(
        (K.REROUTE, "roads", utc(11, 9, 7, 20), utc(11, 9, 7, 50), MET, utc(11, 9, 7, 25))
    )
    six = answered("water", 11, 10, utc(11, 10, 8))  # 1 h, one return
    six.returns = [("water", utc(11, 10, 7, 40), ["format"])]
    seven = Row(  # п.21
        utc(11, 11, 7),
        status="closed_no_answer",
        no_answer_reason="obscene",
        deadlines=[(K.ANSWER, None, utc(11, 11, 7), utc(11, 11, 10), CANCELLED, utc(11, 11, 8))],
    )
    eight = Row(  # п.10: no answer needed
        utc(11, 12, 7),
        status="dismissed",
        deadlines=[(K.ANSWER, None, utc(11, 12, 7), utc(11, 12, 10), CANCELLED, utc(11, 12, 8))],
    )
    december = answered("roads", 12, 1, utc(12, 1, 8))  # outside the period
    october = [
        answered("roads", 10, 5, utc(10, 5, 8)),
        answered("roads", 10, 6, utc(10, 6, 8)),
        answered("water", 10, 7, utc(10, 7, 12)),
        answered("water", 10, 8, utc(10, 8, 12)),
    ]
    return [one, two, three, four, five, six, seven, eight, december, *october]
