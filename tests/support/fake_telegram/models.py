"""The fake server's records and constants: calls, messages, edits, faults, buttons and
the API's errors and limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

TOKEN = "123456789:AAFakeTokenForTestsOnly_0123456789abc"


BOT_ID = 123456789


BOT_USERNAME = "fake_incident_bot"


FaultKind = Literal["retry_after", "server_error", "bad_gateway", "drop", "lost_answer"]


# The methods that put something into a chat: the default target of faults, and what the
# limit checker counts.
DELIVERY_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendVideo",
        "sendDocument",
        "sendMediaGroup",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "deleteMessage",
    }
)


TEXT_LIMIT = 4096


CAPTION_LIMIT = 1024


CALLBACK_DATA_LIMIT = 64


NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class ApiError(Exception):
    """An error answer of the API; raised inside method handlers."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class Call:
    """One request as the server saw it."""

    method: str
    params: dict[str, Any]
    at: float  # the server's clock (monotonic seconds) when the request arrived
    chat_id: int | None
    outcome: str = "pending"  # ok | error <code> | retry_after | server_error | drop | ...
    retry_after: int | None = None  # what a 429 answer asked for


@dataclass
class Edit:
    """What a message looked like before one edit."""

    at: float
    text: str | None
    caption: str | None
    reply_markup: dict[str, Any] | None


@dataclass
class FakeMessage:
    chat_id: int
    message_id: int
    date: int
    from_bot: bool
    user_id: int | None = None  # the sender when it is a person
    text: str | None = None
    caption: str | None = None
    media_kind: str | None = None  # photo | video | document
    file_id: str | None = None
    media_group_id: str | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to: FakeMessage | None = None
    edit_date: int | None = None
    deleted: bool = False
    edits: list[Edit] = field(default_factory=list)

    @property
    def content(self) -> str | None:
        """The text, or the caption of a media message."""
        return self.text if self.text is not None else self.caption


@dataclass
class _Chat:
    chat_id: int
    next_message_id: int = 1
    messages: dict[int, FakeMessage] = field(default_factory=dict)


@dataclass
class _Fault:
    kind: FaultKind
    retry_after: int
    methods: frozenset[str] | None  # None: DELIVERY_METHODS
    chat_id: int | None
    remaining: int | None = None  # for "next K calls"
    share: float = 0.0  # for "a share of calls"

    def matches(self, call: Call) -> bool:
        methods = DELIVERY_METHODS if self.methods is None else self.methods
        if call.method not in methods:
            return False
        return self.chat_id is None or self.chat_id == call.chat_id


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str | None
    url: str | None
