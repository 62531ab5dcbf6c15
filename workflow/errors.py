"""Why a command was refused.

A refused command changes nothing: the caller keeps the incident it had and shows the reason
(rendered from `code` and `params` by the locale layer).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class RefusalCode(StrEnum):
    NOT_ALLOWED = "not_allowed"  # the actor's roles do not permit this step
    NOT_ASSIGNED = "not_assigned"  # the organisation has no live assignment on this incident
    WRONG_STATE = "wrong_state"  # the step does not fit the incident's current state
    CLOSED = "closed"  # answered or closed without answer: only reopening is accepted
    ALREADY_TAKEN = "already_taken"  # another executor holds it (params: holder_id)
    ALREADY_ASSIGNED = "already_assigned"  # the organisation is already working on it
    UNKNOWN_ORGANISATION = "unknown_organisation"
    NO_ORGANISATIONS = "no_organisations"
    MISSING_TOPIC = "missing_topic"  # п.10
    MISSING_LOCATION = "missing_location"  # п.10
    MISSING_COMMENT = "missing_comment"  # п.11 "not ours", reopening
    NO_SUCH_DRAFT = "no_such_draft"
    DRAFT_NOT_PENDING = "draft_not_pending"  # review of a draft that is not waiting for one
    DRAFT_NOT_APPROVED = "draft_not_approved"  # publication of a draft not approved (п.16)
    CENTRE_PUBLISHES = "centre_publishes"  # п.16 with PUBLISHER=centre: curators publish
    DRAFT_IN_PROGRESS = "draft_in_progress"  # a draft of the same kind is already in review
    EMPTY_REASONS = "empty_reasons"  # a return needs at least one п.14 reason
    UNEXPECTED_REASONS = "unexpected_reasons"  # an approval carries no return reasons
    EMPTY_TEXT = "empty_text"  # п.20
    NOT_RUSSIAN = "not_russian"  # п.20: the answer is written in Russian
    BAD_MEDIA = "bad_media"  # п.20: photo, video or document with a file id
    MISSING_URL = "missing_url"  # п.16: where the answer was published
    NOT_CONSOLIDATOR = "not_consolidator"  # п.19: only the chosen organisation drafts
    CONSOLIDATOR_NOT_PICKED = "consolidator_not_picked"  # п.19
    CONSOLIDATOR_ALREADY_PICKED = "consolidator_already_picked"  # п.19
    INFO_PENDING = "info_pending"  # п.19: not every organisation's information is in
    INVALID_LIMIT = "invalid_limit"  # п.18: a stage length must be positive
    NO_CHANGE = "no_change"  # the command would change nothing
    UNKNOWN_GROUND = "unknown_ground"  # п.10: not one of the policy's dismissal grounds
    MISSING_DUPLICATE = "missing_duplicate"  # п.10: a duplicate names the incident it repeats


class CommandRefused(Exception):
    """The actor may not do this now. `params` are JSON-serialisable, for the message."""

    def __init__(self, code: RefusalCode, detail: str = "", **params: Any) -> None:
        super().__init__(f"{code.value}: {detail}" if detail else code.value)
        self.code = code
        self.detail = detail
        self.params: dict[str, Any] = params

    @property
    def holder_id(self) -> int | None:
        """For ALREADY_TAKEN: who holds the assignment."""
        holder = self.params.get("holder_id")
        return holder if isinstance(holder, int) else None


class ReplayError(Exception):
    """The event log does not fold back into an incident (corrupt log or changed rules)."""
