"""Random command sequences by random people at random moments keep the workflow's invariants.

Curators, executors of three organisations (two offices in Novosibirsk, one on the centre's
Moscow calendar), stand-ins and a stranger act on one incident, with the clock moving by
minutes to days over the 2026 Russian calendar.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from tests.workflow.state_machine_strategies import (
    EXECUTORS,
    MINUTES,
    ORGS,
    STARTS,
    actors,
    calendars,
    curators,
    executors,
    lengths,
    media,
    org_codes,
    publishers,
    texts,
)
from workflow.commands import (
    CloseNoAnswer,
    Command,
    ConfirmPublication,
    Decline,
    PickConsolidator,
    Reopen,
    Reroute,
    Review,
    Route,
    SetImportance,
    SetStageLimits,
    Take,
    detect,
    draft_command,
    registry,
)
from workflow.commands.base import LIVE_ASSIGNMENTS, REVIEWED_KINDS
from workflow.effects import Actor, Event
from workflow.errors import CommandRefused, RefusalCode
from workflow.model import (
    ANSWER_DEADLINE_KINDS,
    OPEN_STATUSES,
    AssignmentStatus,
    DeadlineKind,
    DraftKind,
    DraftStatus,
    Importance,
    Incident,
    IncidentStatus,
    NoAnswerReason,
    Party,
    ReturnReason,
    StageLimits,
)
from workflow.policy import Policy, Publisher
from workflow.replay import apply_event, replay
from workflow.roles import Role

from .conftest import (
    ANSWER_TEXT,
    CURATOR,
    POST,
)


class IncidentMachine(RuleBasedStateMachine):
    incident: Incident
    events: list[Event]
    now: datetime
    policy: Policy

    @initialize(
        start=st.sampled_from(STARTS),
        importance=st.sampled_from(list(Importance)),
        publisher=st.sampled_from(list(Publisher)),
    )
    def detect_incident(self, start: datetime, importance: Importance, publisher: Publisher):
        self.policy = Policy(publisher=publisher)
        self.now = start
        outcome = detect(POST, start, importance, 1, self.policy, calendars())
        self.incident = outcome.incident
        self.events = list(outcome.events)

    # --- driving -------------------------------------------------------------------------

    def apply(self, command: Command, actor: Actor) -> None:
        before = self.incident
        snapshot = copy.deepcopy(before)
        closed = before.status not in OPEN_STATUSES
        reopening = isinstance(command, Reopen)
        try:
            outcome = registry.apply(command, before, actor, self.now, self.policy, calendars())
        except CommandRefused as refused:
            # A refused command changes nothing.
            assert self.incident is before and before == snapshot
            if closed and not reopening:
                assert refused.code is RefusalCode.CLOSED
            if refused.code is RefusalCode.ALREADY_TAKEN:
                assert refused.holder_id is not None
            return
        name = type(command).__name__
        # Closed incidents accept nothing but reopening.
        assert not closed or reopening, f"{name} accepted on a closed incident"
        self.accepted(command, before, actor)
        after = outcome.incident
        assert before == snapshot  # the old value is untouched
        assert after.version == before.version + 1
        (logged,) = outcome.events
        assert logged.seq == after.version
        assert logged.command == registry.entry(command).event
        # Deadlines only grow; a deadline that stopped never runs again.
        old = before.deadlines
        assert len(after.deadlines) >= len(old)
        for was, now in zip(old, after.deadlines, strict=False):
            assert (was.kind, was.started_at, was.org_code) == (
                now.kind,
                now.started_at,
                now.org_code,
            )
            assert was.running or was == now
        # Plain JSON for the log and the outbox.
        json.dumps(logged.payload())
        for message in outcome.messages:
            json.dumps(message.params)
            json.dumps(message.to.to_json())
        # The event alone reproduces the step, through the registry.
        assert type(registry.decode(logged.command, logged.args)) is type(command)
        assert apply_event(before, logged, self.policy, calendars()).incident == after
        self.incident = after
        self.events.append(logged)
        event_label = f"applied {name}"
        if isinstance(command, ConfirmPublication):
            event_label += f" ({after.drafts[command.draft_id - 1].kind.value})"
        event(event_label)

    def accepted(self, command: Command, before: Incident, actor: Actor) -> None:
        """A hook for machines that check more about an accepted step (test_allowed.py)."""

    @rule(data=st.data())
    def next_plausible_step(self, data):
        """The step a diligent office would take next, so that runs reach the later stages."""
        incident = self.incident
        if incident.status not in OPEN_STATUSES:
            self.apply(Reopen("Автор уточнил вопрос"), CURATOR)
            return
        if incident.status is IncidentStatus.NEW:
            orgs = data.draw(st.lists(st.sampled_from(ORGS), min_size=1, max_size=3, unique=True))
            self.apply(Route(tuple(orgs), "Дороги", "ул. Ленина"), CURATOR)
            return
        if any(d.running and d.kind is DeadlineKind.REROUTE for d in incident.deadlines):
            orgs = data.draw(st.lists(st.sampled_from(ORGS), max_size=2, unique=True))
            self.apply(Reroute(tuple(orgs)), CURATOR)
            return
        steps = []
        for draft in incident.drafts:
            if draft.status is DraftStatus.PENDING:
                steps.append(("review", draft))
            elif draft.status is DraftStatus.APPROVED:
                steps.append(("publish", draft))
        live = [a for a in incident.assignments if a.status in LIVE_ASSIGNMENTS]
        steps += [("work", assignment) for assignment in live]
        if incident.consolidated and live and not any(a.consolidator for a in live):
            steps.append(("pick", data.draw(st.sampled_from(live))))
        if incident.status is IncidentStatus.INTERIM:
            steps.append(("limits", None))
        if not steps:
            return
        what, item = data.draw(st.sampled_from(steps))
        if what == "review":
            approve = data.draw(st.booleans())
            reasons = [] if approve else [ReturnReason.SPELLING]
            self.apply(Review(item.id, approve, tuple(reasons)), CURATOR)
        elif what == "publish":
            centre = any(
                d.running
                and d.kind is DeadlineKind.PUBLISH
                and d.party is Party.CENTRE
                and d.draft_id == item.id
                for d in incident.deadlines
            )
            holder = next(a.holder_id for a in incident.assignments if a.org_code == item.org_code)
            actor = CURATOR if centre else self.person(holder, item.org_code)
            self.apply(ConfirmPublication(item.id, "https://vk.com/r1"), actor)
        elif what == "limits":
            margin = data.draw(st.sampled_from([timedelta(hours=1), timedelta(hours=20)]))
            limits = StageLimits(draft_margin=margin, review=timedelta(hours=2))
            self.apply(SetStageLimits(limits), CURATOR)
        elif what == "pick":
            self.apply(PickConsolidator(item.org_code), CURATOR)
        else:
            actor = self.person(item.holder_id, item.org_code)
            if incident.consolidated and not item.consolidator:
                kind = data.draw(st.sampled_from([DraftKind.INFO, DraftKind.CLARIFICATION]))
            else:
                kind = data.draw(st.sampled_from(list(DraftKind)))
            if data.draw(st.integers(0, 9)) == 0:
                self.apply(Decline("Не наш вопрос", item.org_code), actor)
            else:
                self.apply(draft_command(kind, ANSWER_TEXT, org_code=item.org_code), actor)

    @rule(data=st.data())
    def and_the_next(self, data):
        """Twice the weight for the plausible path."""
        self.next_plausible_step(data)

    @staticmethod
    def person(holder_id: int | None, org_code: str) -> Actor:
        for actor in EXECUTORS:
            if holder_id is None and actor.org_code == org_code:
                return actor
            if holder_id is not None and actor.person_id == holder_id:
                return actor
        return Actor(holder_id or 0, frozenset({Role.EXECUTOR}), org_code)

    @rule(minutes=st.sampled_from(MINUTES))
    def time_passes(self, minutes: int):
        self.now += timedelta(minutes=minutes)

    def draft_id(self, data: st.DataObject) -> int:
        known = [draft.id for draft in self.incident.drafts]
        return data.draw(st.sampled_from(known or [1]) | st.integers(1, len(known) + 1))

    @rule(
        actor=curators,
        orgs=st.lists(st.sampled_from(ORGS), min_size=0, max_size=3),
        topic=st.sampled_from(["Дороги", "Дороги", ""]),
        location=st.sampled_from(["ул. Ленина", "ул. Ленина", " "]),
    )
    def route(self, actor, orgs, topic, location):
        self.apply(Route(tuple(orgs), topic, location), actor)

    @rule(actor=curators, orgs=st.lists(st.sampled_from(ORGS), max_size=2))
    def reroute(self, actor, orgs):
        self.apply(Reroute(tuple(orgs)), actor)

    @rule(actor=executors, org=org_codes)
    def take(self, actor, org):
        self.apply(Take(org), actor)

    @rule(actor=executors, org=org_codes, comment=st.sampled_from(["Не наш вопрос", ""]))
    def decline(self, actor, org, comment):
        self.apply(Decline(comment, org), actor)

    @rule(
        actor=executors,
        org=org_codes,
        kind=st.sampled_from(list(DraftKind)),
        text=texts,
        attached=media,
    )
    def submit_draft(self, actor, org, kind, text, attached):
        self.apply(draft_command(kind, text, attached, org), actor)

    @rule(
        actor=curators,
        data=st.data(),
        approve=st.booleans(),
        reasons=st.lists(st.sampled_from(list(ReturnReason)), max_size=2),
        comment=st.none() | st.just("Исправьте"),
    )
    def review(self, actor, data, approve, reasons, comment):
        draft_id = self.draft_id(data)
        self.apply(Review(draft_id, approve, tuple(reasons), comment), actor)

    @rule(
        actor=publishers,
        data=st.data(),
        url=st.sampled_from(["https://vk.com/r1", "https://ok.ru/2", ""]),
    )
    def confirm_publication(self, actor, data, url):
        self.apply(ConfirmPublication(self.draft_id(data), url), actor)

    @rule(actor=curators, org=st.sampled_from(ORGS))
    def pick_consolidator(self, actor, org):
        self.apply(PickConsolidator(org), actor)

    @rule(actor=curators, importance=st.sampled_from(list(Importance)))
    def set_importance(self, actor, importance):
        self.apply(SetImportance(importance), actor)

    @rule(
        actor=curators,
        limits=st.builds(
            StageLimits,
            respond=lengths,
            reroute=lengths,
            draft_margin=lengths,
            review=lengths,
            resubmit=lengths,
            publish=lengths,
        ),
    )
    def set_stage_limits(self, actor, limits):
        self.apply(SetStageLimits(limits), actor)

    @rule(actor=actors, reason=st.sampled_from(list(NoAnswerReason)))
    def close_no_answer(self, actor, reason):
        self.apply(CloseNoAnswer(reason, None), actor)

    @rule(actor=curators, comment=st.sampled_from(["Автор уточнил вопрос", ""]))
    def reopen(self, actor, comment):
        self.apply(Reopen(comment), actor)

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def one_answer_clock_while_open_none_when_finished(self):
        running = [d for d in self.incident.deadlines if d.running]
        if self.incident.status in OPEN_STATUSES:
            assert len([d for d in running if d.kind in ANSWER_DEADLINE_KINDS]) == 1
        else:
            assert running == []

    @invariant()
    def nothing_published_without_approval(self):
        for draft in self.incident.drafts:
            if draft.status is DraftStatus.PUBLISHED:
                assert draft.reviews and draft.reviews[-1].approved
                assert draft.published_at and draft.published_url

    @invariant()
    def review_and_publish_clocks_follow_the_drafts(self):
        incident = self.incident
        for draft in incident.drafts:
            reviews = [
                d
                for d in incident.deadlines
                if d.running and d.kind is DeadlineKind.REVIEW and d.draft_id == draft.id
            ]
            publishes = [
                d
                for d in incident.deadlines
                if d.running and d.kind is DeadlineKind.PUBLISH and d.draft_id == draft.id
            ]
            pending = draft.status is DraftStatus.PENDING
            assert len(reviews) == (1 if pending else 0)
            assert len(publishes) == (1 if draft.status is DraftStatus.APPROVED else 0)
            if pending:
                assert draft.kind in REVIEWED_KINDS
            if draft.kind is DraftKind.INFO:
                assert draft.status in {DraftStatus.ACCEPTED, DraftStatus.SUPERSEDED}

    @invariant()
    def organisation_clocks_belong_to_live_assignments(self):
        live = {a.org_code for a in self.incident.assignments if a.status in LIVE_ASSIGNMENTS}
        for deadline in self.incident.deadlines:
            if deadline.running and deadline.party is Party.ORGANISATION:
                assert deadline.org_code in live, deadline

    @invariant()
    def assignments_are_consistent(self):
        assignments = self.incident.assignments
        assert len({a.org_code for a in assignments}) == len(assignments)
        for assignment in assignments:
            if assignment.status is AssignmentStatus.SENT:
                assert assignment.holder_id is None
            if assignment.status in {AssignmentStatus.TAKEN, AssignmentStatus.INFO_SENT}:
                assert assignment.holder_id is not None
        assert len([a for a in assignments if a.consolidator and a.status in LIVE_ASSIGNMENTS]) <= 1

    @invariant()
    def deadlines_are_in_utc_and_end_when_stopped(self):
        for deadline in self.incident.deadlines:
            assert deadline.due_at.utcoffset() == timedelta(0)
            assert (deadline.ended_at is None) == deadline.running

    def teardown(self):
        if hasattr(self, "events"):
            event(f"ended {self.incident.status.value}")
            # The whole log replays to the same incident.
            assert replay(self.events, self.policy, calendars()) == self.incident


IncidentMachine.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TestIncidentStateMachine = IncidentMachine.TestCase
