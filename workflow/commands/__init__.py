"""The workflow's commands: one value per step of Appendix 1, one registry, one answer to
"what may this person do now".

- `steps.py`: the command classes (`Route`, `Take`, `Review`, ...) and the `Command` union.
- one module per step (`routing.py`, `taking.py`, ...): the rule itself, a plain function
  `(incident, actor, now, policy, calendars, ...) -> Outcome` that raises `CommandRefused`
  (and changes nothing) when the actor may not do it or it does not fit, and the `check_*`
  functions it starts with.
- `registry.py`: for each class its stored event name, how to apply it (`apply`), how to
  rebuild it from a logged event (`decode`, used by workflow/replay.py) and who may issue it
  now (`Entry.guard`, built from the same `check_*` functions).
- `allowed.py`: `allowed_commands(...)` -> `Allowed`, which the card's buttons come from.
- `detection.py`: `detect` creates the incident; it is not a person's step on an incident.

Adding a step of the regulation
-------------------------------
1. The rule: a module here with the step's function. Begin it with `check_<step>(incident,
   actor, ...)` holding every "who and when" refusal, then the argument checks, then the
   change; end with `finish(NAME, ...)` recording the event under a new, never-renamed NAME.
   Give any per-target rule (which draft, which organisation) its own check plus a
   `<targets>(incident, ...)` function that filters with `passes(check, ...)`.
2. The command class: a frozen dataclass in `steps.py` whose fields are the step's
   arguments (tuples, not lists), added to the `Command` union.
3. One registry entry in `registry.py`: the class, NAME, an applier, a decoder from the
   event's JSON args, and a guard calling the check(s) of step 1 (and refusing when there
   is no target). If a button needs the targets, add them to `Allowed` in `allowed.py`.
4. Its handler: a button (`bot/views/callbacks.Act`) mapped from `Allowed` in
   bot/views/buttons.py, and the handler that builds the command object and calls
   `IncidentService.perform(incident_id, person_id, command)`; and the button's step in
   `handlers/gate.py` (`KIND_OF_ACT`), which checks every press before its handler runs.
5. Its texts, in both locales/{ru,en}/LC_MESSAGES/messages.po: `event.<NAME>` (timeline,
   refusals), `button.<act>`, `done.<...>`, and the keys of the messages it sends.
6. Tests: the rule in tests/workflow, a rule in tests/workflow/test_state_machine.py (the
   machine also checks that `allowed_commands` agrees with `apply`), and a service or e2e
   test for the button.
"""

from __future__ import annotations

from workflow.commands.allowed import Allowed, allowed_commands
from workflow.commands.closing import close_no_answer, reopen
from workflow.commands.consolidation import pick_consolidator
from workflow.commands.declining import decline
from workflow.commands.detection import detect
from workflow.commands.dismissal import dismiss
from workflow.commands.drafting import submit_draft
from workflow.commands.importance import set_importance
from workflow.commands.publication import confirm_publication
from workflow.commands.registry import EVENT_NAMES, REGISTRY, apply, decode
from workflow.commands.reviewing import review
from workflow.commands.routing import reroute, route
from workflow.commands.stage_limits import set_stage_limits
from workflow.commands.steps import (
    AskClarification,
    CloseNoAnswer,
    Command,
    ConfirmPublication,
    Decline,
    Dismiss,
    DraftCommand,
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
    draft_command,
)
from workflow.commands.taking import take
from workflow.commands.withdrawal import withdraw_organisation

__all__ = [
    "EVENT_NAMES",
    "REGISTRY",
    "Allowed",
    "AskClarification",
    "CloseNoAnswer",
    "Command",
    "ConfirmPublication",
    "Decline",
    "Dismiss",
    "DraftCommand",
    "PickConsolidator",
    "Reopen",
    "Reroute",
    "Review",
    "Route",
    "SetImportance",
    "SetStageLimits",
    "SubmitDraft",
    "SubmitInfo",
    "SubmitInterim",
    "Take",
    "WithdrawOrganisation",
    "allowed_commands",
    "apply",
    "close_no_answer",
    "confirm_publication",
    "decline",
    "decode",
    "detect",
    "dismiss",
    "draft_command",
    "pick_consolidator",
    "reopen",
    "reroute",
    "review",
    "route",
    "set_importance",
    "set_stage_limits",
    "submit_draft",
    "take",
    "withdraw_organisation",
]
