"""Which card buttons a reader may press now: asked of the workflow itself, by dry runs.

Nothing here decides a rule: each candidate command runs on the pure core with harmless
sample arguments, and a button appears only if the core would accept it. The press itself
runs the real command again, so a stale card can never do what the core refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from bot.views.callbacks import Act
from workflow import commands
from workflow.calendars import Calendars
from workflow.effects import Actor
from workflow.errors import CommandRefused
from workflow.model import (
    DraftKind,
    DraftStatus,
    Importance,
    Incident,
    NoAnswerReason,
    StageLimits,
)
from workflow.policy import Policy
from workflow.roles import Role

SAMPLE_TEXT = "Проверка"
SAMPLE_URL = "https://example.invalid/post"
_SAMPLE_LIMITS = StageLimits(review=timedelta(seconds=1777))  # differs from any real setting


def _accepts(run: Callable[[], object]) -> bool:
    try:
        run()
    except CommandRefused:
        return False
    return True


def curator_actor() -> Actor:
    return Actor(person_id=0, roles=frozenset({Role.CURATOR}))


def executor_actor(incident: Incident, org_code: str) -> Actor:
    """The organisation's executor who would press: the holder if someone holds it."""
    holder = next(
        (a.holder_id for a in incident.assignments if a.org_code == org_code and a.holder_id),
        None,
    )
    return Actor(person_id=holder or 0, roles=frozenset({Role.EXECUTOR}), org_code=org_code)


def available(
    incident: Incident,
    actor: Actor,
    now: datetime,
    policy: Policy,
    calendars: Calendars,
    org_codes: Iterable[str] = (),
) -> list[tuple[Act, int]]:
    """(action, draft id or 0) pairs the core would accept from this actor now."""
    c = commands
    args = (incident, actor, now, policy, calendars)
    some_orgs = [
        code for code in org_codes if code not in {a.org_code for a in incident.assignments}
    ]
    found: list[tuple[Act, int]] = []

    def check(act: Act, run: Callable[[], object], arg: int = 0) -> None:
        if _accepts(run):
            found.append((act, arg))

    check(Act.TAKE, lambda: c.take(*args))
    check(Act.DECLINE, lambda: c.decline(*args, comment=SAMPLE_TEXT))
    check(
        Act.CLARIFY, lambda: c.submit_draft(*args, kind=DraftKind.CLARIFICATION, text=SAMPLE_TEXT)
    )
    check(Act.DRAFT, lambda: c.submit_draft(*args, kind=DraftKind.ANSWER, text=SAMPLE_TEXT))
    check(Act.INTERIM, lambda: c.submit_draft(*args, kind=DraftKind.INTERIM, text=SAMPLE_TEXT))
    check(Act.INFO, lambda: c.submit_draft(*args, kind=DraftKind.INFO, text=SAMPLE_TEXT))
    for draft in incident.drafts:
        if draft.status is DraftStatus.PENDING:
            check(
                Act.REVIEW,
                lambda d=draft: c.review(*args, draft_id=d.id, approve=True),
                draft.id,
            )
        if draft.status is DraftStatus.APPROVED:
            check(
                Act.PUBLISH,
                lambda d=draft: c.confirm_publication(*args, draft_id=d.id, url=SAMPLE_URL),
                draft.id,
            )
    if some_orgs:
        sample = [some_orgs[0]]
        check(Act.ROUTE, lambda: c.route(*args, org_codes=sample, topic="t", location="l"))
        check(Act.REROUTE, lambda: c.reroute(*args, org_codes=sample))
    for code in {a.org_code for a in incident.assignments}:
        if _accepts(lambda code=code: c.pick_consolidator(*args, org_code=code)):
            found.append((Act.PICK, 0))
            break
    check(Act.HIGH, lambda: c.set_importance(*args, importance=Importance.HIGH))
    check(Act.NORMAL, lambda: c.set_importance(*args, importance=Importance.NORMAL))
    check(Act.LIMITS, lambda: c.set_stage_limits(*args, limits=_SAMPLE_LIMITS))
    check(Act.CLOSE, lambda: c.close_no_answer(*args, reason=NoAnswerReason.OBSCENE))
    check(Act.REOPEN, lambda: c.reopen(*args, comment=SAMPLE_TEXT))
    return found
