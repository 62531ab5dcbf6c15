"""The steps of Appendix 1 as values: one frozen dataclass per command a person may issue.

A command object says what is asked, not who asks or when: the actor, the moment, the
policy and the calendars come with `registry.apply`. Fields are what the step needs from
the person; sequences are tuples so that commands are hashable and comparable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from workflow.model import DraftKind, Importance, Media, NoAnswerReason, ReturnReason, StageLimits


@dataclass(frozen=True, slots=True)
class Route:
    """п.10 (one organisation), п.19 (several): the curator sends a new incident on."""

    org_codes: tuple[str, ...]
    topic: str
    location: str


@dataclass(frozen=True, slots=True)
class Reroute:
    """п.11: after "not ours" the curator sends it on (none: the others suffice, п.19)."""

    org_codes: tuple[str, ...] = ()
    topic: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class Take:
    """п.11 / п.13: an executor takes the incident; a stand-in takes it over (п.8)."""

    org_code: str | None = None  # None: the actor's own organisation


@dataclass(frozen=True, slots=True)
class Decline:
    """п.11: "not ours", with the reason."""

    comment: str
    org_code: str | None = None


@dataclass(frozen=True, slots=True)
class AskClarification:
    """п.13: a question to the author, reviewed by the curator like a draft."""

    kind: ClassVar[DraftKind] = DraftKind.CLARIFICATION
    text: str
    media: tuple[Media, ...] = ()
    org_code: str | None = None


@dataclass(frozen=True, slots=True)
class SubmitDraft:
    """п.12: the draft answer (the consolidated one from the consolidator, п.19)."""

    kind: ClassVar[DraftKind] = DraftKind.ANSWER
    text: str
    media: tuple[Media, ...] = ()
    org_code: str | None = None


@dataclass(frozen=True, slots=True)
class SubmitInterim:
    """п.12 / п.18: an interim answer, after which the final one is due in 5 working days."""

    kind: ClassVar[DraftKind] = DraftKind.INTERIM
    text: str
    media: tuple[Media, ...] = ()
    org_code: str | None = None


@dataclass(frozen=True, slots=True)
class SubmitInfo:
    """п.19: an organisation's information for the consolidated answer."""

    kind: ClassVar[DraftKind] = DraftKind.INFO
    text: str
    media: tuple[Media, ...] = ()
    org_code: str | None = None


DraftCommand = AskClarification | SubmitDraft | SubmitInterim | SubmitInfo
DRAFT_COMMANDS: dict[DraftKind, type[DraftCommand]] = {
    DraftKind.CLARIFICATION: AskClarification,
    DraftKind.ANSWER: SubmitDraft,
    DraftKind.INTERIM: SubmitInterim,
    DraftKind.INFO: SubmitInfo,
}


def draft_command(
    kind: DraftKind, text: str, media: tuple[Media, ...] = (), org_code: str | None = None
) -> DraftCommand:
    """The command that sends a text of this kind (a guided step collects kind and text)."""
    return DRAFT_COMMANDS[DraftKind(kind)](text=text, media=tuple(media), org_code=org_code)


@dataclass(frozen=True, slots=True)
class Review:
    """п.14: approve a draft, or return it naming at least one reason."""

    draft_id: int
    approve: bool
    reasons: tuple[ReturnReason, ...] = ()
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class ConfirmPublication:
    """п.16: where the approved text was published."""

    draft_id: int
    url: str


@dataclass(frozen=True, slots=True)
class PickConsolidator:
    """п.19: the organisation that drafts the consolidated answer."""

    org_code: str


@dataclass(frozen=True, slots=True)
class SetImportance:
    """п.17: mark or unmark a high-importance incident."""

    importance: Importance


@dataclass(frozen=True, slots=True)
class SetStageLimits:
    """п.18: the curator's lengths of the steps of п.11–16 after an interim answer."""

    limits: StageLimits


@dataclass(frozen=True, slots=True)
class CloseNoAnswer:
    """п.21: no answer to threats, obscenity and insults."""

    reason: NoAnswerReason
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Dismiss:
    """п.10: the post needs no answer, on one of the policy's grounds (not п.21)."""

    ground: str  # a DismissalGround value
    duplicate_of: int | None = None  # the incident a duplicate repeats
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class WithdrawOrganisation:
    """п.19: the curator takes a silent organisation off a consolidated incident."""

    org_code: str
    comment: str


@dataclass(frozen=True, slots=True)
class Reopen:
    """A finished (or dismissed) incident goes back to the curator."""

    comment: str


Command = (
    Route
    | Reroute
    | Take
    | Decline
    | AskClarification
    | SubmitDraft
    | SubmitInterim
    | SubmitInfo
    | Review
    | ConfirmPublication
    | PickConsolidator
    | SetImportance
    | SetStageLimits
    | CloseNoAnswer
    | Dismiss
    | WithdrawOrganisation
    | Reopen
)
