"""The event log folds back into the same incident (workflow/replay.py)."""

from __future__ import annotations

import dataclasses

import pytest

from workflow.commands import CloseNoAnswer, Reopen, Route
from workflow.errors import ReplayError
from workflow.model import NoAnswerReason
from workflow.replay import replay

from .conftest import CURATOR, msk
from .test_effects import full_flow

WHERE = {"topic": "Дороги", "location": "ул. Ленина"}


def test_replaying_the_log_gives_the_same_incident(flow_at):
    flow = full_flow(flow_at)

    assert replay(flow.events, flow.policy, flow.calendars) == flow.incident


def test_replay_through_closing_and_reopening(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0)).after(minutes=10)
    flow.do(Route(("parks", "roads"), **WHERE), CURATOR)
    flow.after(minutes=10).do(CloseNoAnswer(NoAnswerReason.THREAT), CURATOR)
    flow.after(days=1).do(Reopen("Пересмотрели"), CURATOR)

    assert replay(flow.events, flow.policy, flow.calendars) == flow.incident


def test_replay_rejects_a_log_that_does_not_start_with_detection(flow_at):
    flow = full_flow(flow_at)

    with pytest.raises(ReplayError):
        replay(flow.events[1:], flow.policy, flow.calendars)
    with pytest.raises(ReplayError):
        replay([], flow.policy, flow.calendars)


def test_replay_rejects_a_log_with_a_step_that_no_longer_applies(flow_at):
    flow = full_flow(flow_at)
    events = list(flow.events)
    events[1] = dataclasses.replace(events[1], args={**events[1].args, "topic": ""})

    with pytest.raises(ReplayError, match="refused"):
        replay(events, flow.policy, flow.calendars)


def test_replay_rejects_a_gap_in_the_log(flow_at):
    flow = full_flow(flow_at)
    events = [*flow.events[:2], *flow.events[3:]]

    with pytest.raises(ReplayError):
        replay(events, flow.policy, flow.calendars)
