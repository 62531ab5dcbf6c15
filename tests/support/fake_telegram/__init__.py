"""A fake Telegram Bot API server on 127.0.0.1 for tests, and a checker of Telegram's limits.

aiogram talks to it as to the real thing when its API base is `server.url`
(`TelegramAPIServer.from_base`): requests arrive at `/bot{token}/{method}` as multipart or
urlencoded form fields (complex values JSON-encoded) or as a JSON body, and the answers have the
real API's shapes, errors included, so aiogram parses them into its own types and exceptions.

What it keeps: the messages of every chat (ids incrementing per chat, text or caption, media,
reply markup as parsed JSON, edits applied in place with their history, deletions), every call
(method, parameters, the server's monotonic time on arrival, chat, outcome), and a queue of
updates that `getUpdates` serves with long polling.

Faults on demand: 429 with `retry_after`, 500, an HTML 502 from a "proxy", a connection closed
before the request is processed ("drop") or after it ("lost_answer": the message exists but the
client never learns it), either for the next K calls or for a seeded random share of calls;
"chat not found" (400) and "bot was blocked by the user" (403) for chosen chats; and, like the
real API, "message is not modified" when an edit changes nothing.

Webhook mode (webhook.py): after setWebhook the queued updates are POSTed to its URL with the
secret token, retried until answered 2xx, and getUpdates is refused with 409.
"""

from __future__ import annotations

from tests.support.fake_telegram.fixtures import fake_bot, fake_telegram, running_fake_telegram
from tests.support.fake_telegram.limits import Violation, limit_violations
from tests.support.fake_telegram.models import (
    BOT_ID,
    BOT_USERNAME,
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    DELIVERY_METHODS,
    NOT_MODIFIED,
    TEXT_LIMIT,
    TOKEN,
    ApiError,
    Button,
    Call,
    Edit,
    FakeMessage,
    FaultKind,
    _Fault,
)
from tests.support.fake_telegram.server import FakeTelegram
from tests.support.fake_telegram.webhook import WebhookDelivery

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "CALLBACK_DATA_LIMIT",
    "CAPTION_LIMIT",
    "DELIVERY_METHODS",
    "NOT_MODIFIED",
    "TEXT_LIMIT",
    "TOKEN",
    "ApiError",
    "Button",
    "Call",
    "Edit",
    "FakeMessage",
    "FakeTelegram",
    "FaultKind",
    "Violation",
    "WebhookDelivery",
    "_Fault",
    "fake_bot",
    "fake_telegram",
    "limit_violations",
    "running_fake_telegram",
]
