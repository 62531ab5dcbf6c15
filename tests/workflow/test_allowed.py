"""`allowed_commands` agrees with `apply`: a step is offered iff a valid instance of it
succeeds, and its targets (drafts, organisations, levels) are exactly those that succeed.

The buttons on a card come from this answer, so a button never offers what the core
refuses and never hides what it would accept. No sample arguments are involved: the
answer comes from the guards (the commands' own checks).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule

from workflow.commands import (
    REGISTRY,
    AskClarification,
    CloseNoAnswer,
    Command,
    ConfirmPublication,
    Decline,
    Dismiss,
    PickConsolidator,
    Reopen,
    Reroute,
    Review,
    Route,
    SetImportance,
    SetStageLimits,
    SubmitDraft,
    SubmitInfo,
    SubmitInterim,
    Take,
    WithdrawOrganisation,
    allowed_commands,
    registry,
)
from workflow.effects import Actor
from workflow.errors import CommandRefused
from workflow.model import Importance, Incident, NoAnswerReason, StageLimits

from .conftest import ANSWER_TEXT, CURATOR, DEPUTY, ROADS, ROADS_2, STRANGER, msk
from .state_machine_strategies import ACTORS, ORGS, calendars
from .test_state_machine import IncidentMachine

URL = "https://vk.com/wall-1_100?reply=1"


def valid_instances(incident: Incident) -> dict[type, list[Command]]:
    """For each step, instances whose arguments are well-formed: they fail only if the
    step itself is not open to the actor now (executors act for their own organisation)."""
    drafts = [draft.id for draft in incident.drafts]
    return {
        Route: [Route((code,), "Дороги", "ул. Ленина") for code in ORGS],
        Reroute: [Reroute(()), *(Reroute((code,)) for code in ORGS)],
        Take: [Take()],
        Decline: [Decline("Не наш вопрос")],
        AskClarification: [AskClarification(ANSWER_TEXT)],
        SubmitDraft: [SubmitDraft(ANSWER_TEXT)],
        SubmitInterim: [SubmitInterim(ANSWER_TEXT)],
        SubmitInfo: [SubmitInfo(ANSWER_TEXT)],
        Review: [Review(draft_id, approve=True) for draft_id in drafts],
        ConfirmPublication: [ConfirmPublication(draft_id, URL) for draft_id in drafts],
        PickConsolidator: [PickConsolidator(code) for code in ORGS],
        SetImportance: [SetImportance(level) for level in Importance],
        SetStageLimits: [
            SetStageLimits(StageLimits(review=timedelta(minutes=15))),
            SetStageLimits(StageLimits(review=timedelta(hours=4))),
        ],
        CloseNoAnswer: [CloseNoAnswer(NoAnswerReason.THREAT)],
        Reopen: [Reopen("Автор уточнил вопрос")],
        Dismiss: [Dismiss("gratitude")],
        WithdrawOrganisation: [WithdrawOrganisation(code, "Молчит") for code in ORGS],
    }


def assert_agrees(incident: Incident, actor: Actor, now, policy) -> None:
    allowed = allowed_commands(incident, actor, now, policy, calendars(), ORGS)
    instances = valid_instances(incident)
    assert set(instances) == set(REGISTRY)  # every registered step is checked
    succeeded: dict[type, list[Command]] = {}
    for kind, candidates in instances.items():
        succeeded[kind] = []
        for command in candidates:
            try:
                registry.apply(command, incident, actor, now, policy, calendars())
            except CommandRefused:
                continue
            succeeded[kind].append(command)
        assert (kind in allowed) == bool(succeeded[kind]), (kind, actor, allowed)
    assert allowed.reviewable == tuple(c.draft_id for c in succeeded[Review])
    assert allowed.publishable == tuple(c.draft_id for c in succeeded[ConfirmPublication])
    picked = {c.org_code for c in succeeded[PickConsolidator]}
    assert set(allowed.consolidator_candidates) == picked
    assert allowed.importance_choices == tuple(c.importance for c in succeeded[SetImportance])
    withdrawn = {c.org_code for c in succeeded[WithdrawOrganisation]}
    assert set(allowed.withdraw_candidates) == withdrawn
    for kind in (Route, Reroute):
        if kind in allowed:
            routed = {code for c in succeeded[kind] for code in c.org_codes}
            assert set(allowed.route_candidates) == routed, (kind, allowed)
    if Route not in allowed and Reroute not in allowed:
        assert allowed.route_candidates == ()


class AllowedMachine(IncidentMachine):
    """The state machine's random walk, asking at each step whether the answer agrees."""

    def accepted(self, command: Command, before: Incident, actor: Actor) -> None:
        """What the core accepted, `allowed_commands` had offered: the card's buttons never
        hide a step (executors' steps are offered for the actor's own organisation)."""
        org_code = (
            None
            if isinstance(command, PickConsolidator | WithdrawOrganisation)
            else getattr(command, "org_code", None)
        )
        if org_code not in (None, actor.org_code):
            return
        allowed = allowed_commands(before, actor, self.now, self.policy, calendars(), ORGS)
        assert type(command) in allowed, (command, allowed)
        if isinstance(command, Review):
            assert command.draft_id in allowed.reviewable
        if isinstance(command, ConfirmPublication):
            assert command.draft_id in allowed.publishable
        if isinstance(command, PickConsolidator):
            assert command.org_code in allowed.consolidator_candidates
        if isinstance(command, SetImportance):
            assert command.importance in allowed.importance_choices
        if isinstance(command, WithdrawOrganisation):
            assert command.org_code in allowed.withdraw_candidates
        if isinstance(command, Route | Reroute):
            assert set(command.org_codes) <= set(allowed.route_candidates)

    @rule(actor=st.sampled_from(ACTORS), org=st.sampled_from(ORGS))
    def withdraw_organisation(self, actor: Actor, org: str) -> None:
        self.apply(WithdrawOrganisation(org, "Молчит"), actor)

    @rule(actor=st.sampled_from(ACTORS), ground=st.sampled_from(["gratitude", "duplicate"]))
    def dismiss(self, actor: Actor, ground: str) -> None:
        self.apply(Dismiss(ground, 7 if ground == "duplicate" else None), actor)

    @rule(actor=st.sampled_from(ACTORS))
    def allowed_agrees_with_apply(self, actor: Actor) -> None:
        assert_agrees(self.incident, actor, self.now, self.policy)


AllowedMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestAllowedAgreesWithApply = AllowedMachine.TestCase


# --- a table of the usual moments ------------------------------------------------------------


def test_new_incident_offers_the_curator_routing_importance_and_closing(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))

    allowed = allowed_commands(flow.incident, DEPUTY, flow.now, flow.policy, flow.calendars, ORGS)

    assert allowed.kinds == {Route, SetImportance, CloseNoAnswer, Dismiss}
    assert allowed.route_candidates == tuple(ORGS)
    assert allowed.dismissal_grounds == flow.policy.dismissal_grounds
    assert allowed.importance_choices == (Importance.HIGH,)
    assert allowed_commands(flow.incident, ROADS, flow.now, flow.policy, flow.calendars).kinds == (
        frozenset()
    )


def test_routed_incident_offers_the_executor_taking_and_drafting(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0)).after(minutes=10)
    flow.do(Route(("roads",), "Дороги", "ул. Ленина"), CURATOR)

    allowed = allowed_commands(flow.incident, ROADS, flow.now, flow.policy, flow.calendars)
    assert allowed.kinds == {Take, Decline, AskClarification, SubmitDraft, SubmitInterim}

    flow.do(Take(), ROADS)
    held = allowed_commands(flow.incident, ROADS, flow.now, flow.policy, flow.calendars)
    other = allowed_commands(flow.incident, ROADS_2, flow.now, flow.policy, flow.calendars)
    assert Take not in held and SubmitDraft in held
    assert other.kinds == frozenset()  # someone else holds it (п.8 aside)


def test_after_not_ours_the_curator_reroutes_to_organisations_not_on_it(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0)).after(minutes=10)
    flow.do(Route(("roads", "parks"), "Дороги", "ул. Ленина"), CURATOR)
    flow.after(minutes=5).do(Decline("Не наш вопрос"), ROADS)

    allowed = allowed_commands(flow.incident, CURATOR, flow.now, flow.policy, flow.calendars, ORGS)

    assert Reroute in allowed and Route not in allowed
    assert allowed.route_candidates == ("roads", "water")  # parks is still on it


def test_drafts_waiting_for_review_and_publication_are_named(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0)).after(minutes=10)
    flow.do(Route(("roads",), "Дороги", "ул. Ленина"), CURATOR)
    flow.do(SubmitDraft(ANSWER_TEXT), ROADS)
    pending = allowed_commands(flow.incident, CURATOR, flow.now, flow.policy, flow.calendars)
    assert (Review in pending, pending.reviewable) == (True, (1,))

    flow.do(Review(1, approve=True), CURATOR)
    for_executor = allowed_commands(flow.incident, ROADS, flow.now, flow.policy, flow.calendars)
    for_curator = allowed_commands(flow.incident, CURATOR, flow.now, flow.policy, flow.calendars)
    assert for_executor.publishable == (1,) and ConfirmPublication in for_executor
    assert ConfirmPublication not in for_curator and Review not in for_curator


def test_finished_incident_offers_only_reopening_to_curators(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))
    flow.do(CloseNoAnswer(NoAnswerReason.OBSCENE), CURATOR)

    for actor, kinds in ((CURATOR, {Reopen}), (ROADS, set()), (STRANGER, set())):
        allowed = allowed_commands(flow.incident, actor, flow.now, flow.policy, flow.calendars)
        assert allowed.kinds == kinds


def test_no_sample_arguments_remain_in_the_code():
    """Buttons used to be guessed by dry runs with made-up arguments."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for folder in ("bot", "handlers", "workflow", "db")
        for path in (root / folder).rglob("*.py")
        if any(name in path.read_text() for name in ("SAMPLE_TEXT", "_SAMPLE_LIMITS", "SAMPLE_URL"))
    ]
    assert offenders == []
