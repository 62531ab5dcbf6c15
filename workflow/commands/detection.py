"""Detection creates the incident (п.2, п.9, п.10, п.17)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from workflow.calendars import Calendars
from workflow.commands.base import answer_length, as_utc, finish, iso, start
from workflow.commands.codec import post_from_json, post_to_json
from workflow.effects import Actor, Addressee, Message, Outcome
from workflow.model import (
    DeadlineKind,
    Importance,
    Incident,
    IncidentStatus,
    Party,
    Post,
)
from workflow.policy import Policy

NAME = "detect"


def detect(
    post: Post,
    detected_at: datetime,
    importance: Importance,
    incident_id: int,
    policy: Policy,
    calendars: Calendars,
    actor: Actor | None = None,
    several: bool = False,
) -> Outcome:
    """A post found by monitoring (actor None) or by a curator by hand.

    `several`: the post looks like the business of several organisations (the intake's
    topic hint); then the curator's routing clock is п.19's 30 minutes, with its reminder
    and alert, rather than п.10's hour."""
    now = as_utc(detected_at)
    importance = Importance(importance)
    blank = Incident(
        id=incident_id,
        post=post,
        detected_at=now,
        status=IncidentStatus.NEW,
        importance=importance,
        version=0,
    )
    # п.9 / п.17: the answer is published 3 (2) working hours after detection.
    answer_due = calendars.add(Party.EVERYONE, None, now, answer_length(importance, policy))
    incident = start(blank, DeadlineKind.ANSWER, Party.EVERYONE, answer_due, now)
    # п.10: the curator routes it within 1 working hour; п.19: to several at once in 30 min.
    route_length = policy.multi_route if several else policy.route
    route_due = calendars.add(Party.CENTRE, None, now, route_length)
    incident = start(incident, DeadlineKind.ROUTE, Party.CENTRE, route_due, now)
    message = Message(
        Addressee.curators(),
        "incident.detected",
        {
            "source": post.source.value,
            "url": post.url,
            "importance": importance.value,
            "answer_due_at": iso(answer_due),
            "route_due_at": iso(route_due),
        },
    )
    outcome = finish(
        NAME,
        blank,
        incident,
        actor,
        now,
        {"post": post_to_json(post), "importance": importance.value}
        | ({"several": True} if several else {}),
        {"answer_due_at": iso(answer_due), "route_due_at": iso(route_due)},
        [message],
    )
    # There was no incident before detection: every deadline is new.
    return Outcome(incident=outcome.incident, events=outcome.events, messages=outcome.messages)


def replay(
    incident_id: int,
    actor: Actor | None,
    at: datetime,
    policy: Policy,
    calendars: Calendars,
    args: Mapping[str, Any],
) -> Outcome:
    return detect(
        post_from_json(args["post"]),
        at,
        Importance(args["importance"]),
        incident_id,
        policy,
        calendars,
        actor,
        several=bool(args.get("several")),
    )
