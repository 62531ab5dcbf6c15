"""What a failed request means for its row: wait, retry, give the row up, or the chat."""

from __future__ import annotations

from enum import Enum

import aiohttp
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from sqlalchemy.exc import SQLAlchemyError


class Verdict(Enum):
    RETRY_AFTER = "retry_after"  # Telegram said when
    TRANSIENT = "transient"  # network, 5xx, database: retry with backoff, forever
    UNEXPECTED = "unexpected"  # unknown: retry with backoff, a few times
    ROW = "row"  # this message can never be sent
    CHAT = "chat"  # this chat cannot be reached


class RowError(Exception):
    """A row that cannot be delivered whatever happens (unknown kind, card of no incident)."""


class Abandoned(Exception):
    """Another process took the row over while we were between two steps."""


class Stopping(Exception):
    """The sender is stopping: leave before the next request."""


_CHAT_GONE = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "chat_id is empty",
    "group chat was deactivated",
    "chat was deactivated",
    "chat_write_forbidden",
    "not enough rights to send",
    "have no rights to send",
    "need administrator rights",
    "bot is not a member",
)
_MESSAGE_GONE = (
    "message to edit not found",
    "message can't be edited",
    "message_id_invalid",
    "there is no text in the message to edit",
)


def classify(error: BaseException) -> Verdict:
    if isinstance(error, TelegramRetryAfter):
        return Verdict.RETRY_AFTER
    if isinstance(error, TelegramMigrateToChat | TelegramForbiddenError):
        return Verdict.CHAT
    if isinstance(error, TelegramBadRequest):
        text = error.message.lower()
        return Verdict.CHAT if any(part in text for part in _CHAT_GONE) else Verdict.ROW
    # EntityTooLarge is a TelegramNetworkError in aiogram, but retrying cannot help it.
    if isinstance(error, TelegramEntityTooLarge | TelegramNotFound | RowError):
        return Verdict.ROW
    if isinstance(
        error,
        TelegramNetworkError
        | TelegramServerError
        | TelegramConflictError
        | TelegramUnauthorizedError
        | ClientDecodeError  # a proxy's HTML error page instead of the API's JSON
        | aiohttp.ClientError
        | TimeoutError
        | OSError
        | SQLAlchemyError,
    ):
        return Verdict.TRANSIENT
    return Verdict.UNEXPECTED


def describe(error: BaseException) -> str:
    if isinstance(error, TelegramMigrateToChat):
        return f"{error.message} (the group is now {error.migrate_to_chat_id})"
    if isinstance(error, TelegramAPIError):
        return error.message
    return f"{type(error).__name__}: {error}"


def is_not_modified(error: TelegramBadRequest) -> bool:
    return "message is not modified" in error.message.lower()


def is_message_gone(error: TelegramBadRequest) -> bool:
    text = error.message.lower()
    return any(part in text for part in _MESSAGE_GONE)
