"""Fold an incident's event log back into the incident, through the same commands.

Each event is decoded into its command by the registry and applied again. Given the policy
and calendars in force when the events happened, replaying yields an incident equal to the
stored one: the check that the log is complete.
"""

from __future__ import annotations

from collections.abc import Iterable

from workflow.calendars import Calendars
from workflow.commands import detection, registry
from workflow.effects import Event, Outcome
from workflow.errors import CommandRefused, ReplayError
from workflow.model import Incident
from workflow.policy import Policy


def apply_event(incident: Incident, event: Event, policy: Policy, calendars: Calendars) -> Outcome:
    """Apply one logged command to the incident it followed."""
    if event.command not in registry.DECODERS:
        raise ReplayError(f"event {event.seq}: unknown command {event.command!r}")
    if event.actor is None:
        raise ReplayError(f"event {event.seq}: {event.command} has no actor")
    command = registry.decode(event.command, event.args)
    try:
        return registry.apply(command, incident, event.actor, event.at, policy, calendars)
    except CommandRefused as refused:
        raise ReplayError(f"event {event.seq}: {event.command} refused: {refused}") from refused


def replay(events: Iterable[Event], policy: Policy, calendars: Calendars) -> Incident:
    """The incident as the log says it is; the first event must be the detection."""
    incident: Incident | None = None
    for event in events:
        if incident is None:
            if event.command != detection.NAME:
                raise ReplayError(f"event {event.seq}: the log must start with detection")
            outcome = detection.replay(
                event.incident_id, event.actor, event.at, policy, calendars, event.args
            )
        else:
            outcome = apply_event(incident, event, policy, calendars)
        incident = outcome.incident
        if incident.version != event.seq:
            raise ReplayError(f"event {event.seq}: replay reached version {incident.version}")
    if incident is None:
        raise ReplayError("no events")
    return incident
