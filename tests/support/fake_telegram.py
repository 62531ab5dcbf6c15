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
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Literal

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from bot.outbox.limits import SenderLimits, Window

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

_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "media",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "allowed_updates",
    }
)
_INT_FIELDS = frozenset(
    {"message_id", "offset", "limit", "timeout", "reply_to_message_id", "user_id", "cache_time"}
)
_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
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


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _HtmlCheck(HTMLParser):
    """Telegram's HTML parse mode accepts a few tags, properly nested."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problem: str | None = None
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS and self.problem is None:
            self.problem = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if (not self.stack or self.stack[-1] != tag) and self.problem is None:
            self.problem = f'Unexpected end tag "{tag}"'
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def _visible_text(text: str, parse_mode: str | None) -> str:
    """The text as shown, after parsing; raises the API's error for bad HTML."""
    if parse_mode is None or parse_mode.upper() != "HTML":
        return text
    check = _HtmlCheck()
    check.feed(text)
    check.close()
    if check.problem is None and check.stack:
        check.problem = f'Can\'t find end tag corresponding to start tag "{check.stack[-1]}"'
    if check.problem is not None:
        raise ApiError(400, f"Bad Request: can't parse entities: {check.problem}")
    return "".join(check.visible)


def _chat_json(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
    kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
    return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}


def _user_json(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}", "language_code": "ru"}


def _bot_json() -> dict[str, Any]:
    return {"id": BOT_ID, "is_bot": True, "first_name": "Fake bot", "username": BOT_USERNAME}


def _chat_id_of(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


class FakeTelegram:
    """The server. Start it with `async with FakeTelegram() as server:` or `await start()`."""

    def __init__(
        self,
        *,
        token: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        seed: int = 0,
    ) -> None:
        self.token = token  # None: any token is accepted
        self.clock = clock
        # Seconds each request spends on the way there and back (half each way), as with a
        # distant API server; only for the delivery methods.
        self.latency = 0.0
        self.calls: list[Call] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.commands: list[Any] = []
        self.chat_not_found: set[int] = set()
        self.blocked: set[int] = set()
        self._chats: dict[int, _Chat] = {}
        self._faults: list[_Fault] = []
        self._random = random.Random(seed)
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._last_callback_id = 0
        self._media_groups = itertools.count(1)
        self._files = itertools.count(1)
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def close(self) -> None:
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def api_server(self) -> TelegramAPIServer:
        return TelegramAPIServer.from_base(self.url)

    def bot(self, token: str = TOKEN) -> Bot:
        """An aiogram Bot that talks to this server; close it with `await bot.session.close()`."""
        return Bot(token, session=AiohttpSession(api=self.api_server()))

    # --- inspection ---------------------------------------------------------------------------

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[FakeMessage]:
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.messages.values() if include_deleted or not m.deleted]

    def bot_messages(self, chat_id: int) -> list[FakeMessage]:
        return [m for m in self.messages(chat_id) if m.from_bot]

    def message(self, chat_id: int, message_id: int) -> FakeMessage:
        return self._chats[chat_id].messages[message_id]

    def chat_ids(self) -> list[int]:
        return list(self._chats)

    def buttons(self, chat_id: int, message_id: int) -> list[Button]:
        """The inline keyboard of a message, row by row, flattened."""
        markup = self.message(chat_id, message_id).reply_markup or {}
        return [
            Button(b.get("text", ""), b.get("callback_data"), b.get("url"))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    def calls_of(self, *methods: str) -> list[Call]:
        return [c for c in self.calls if c.method in methods]

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper: the timeout is its point
    ) -> None:
        """Wait until `condition()` holds; it is checked after every call and state change."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                continue

    async def wait_for(
        self,
        predicate: Callable[[Call], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - a test helper: the timeout is its point
        count: int = 1,
    ) -> list[Call]:
        """Wait until `count` recorded calls satisfy `predicate` (answered ones); return them."""

        def matching() -> list[Call]:
            return [c for c in self.calls if c.outcome != "pending" and predicate(c)]

        await self.wait_until(lambda: len(matching()) >= count, timeout)
        return matching()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # --- fault injection ----------------------------------------------------------------------

    def fail_next(
        self,
        count: int,
        kind: FaultKind,
        *,
        retry_after: int = 1,
        methods: Iterable[str] | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Fail the next `count` matching calls (by default: delivery methods, any chat)."""
        self._faults.append(
            _Fault(
                kind,
                retry_after,
                None if methods is None else frozenset(methods),
                chat_id,
                remaining=count,
            )
        )

    def fail_share(
        self,
        share: float,
        kind: FaultKind,
        *,
        retry_after: int = 1,
        methods: Iterable[str] | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Fail a share (0..1) of matching calls, chosen by the server's seeded random."""
        self._faults.append(
            _Fault(
                kind,
                retry_after,
                None if methods is None else frozenset(methods),
                chat_id,
                share=share,
            )
        )

    def clear_faults(self) -> None:
        self._faults.clear()

    def _pick_fault(self, call: Call) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining is not None and fault.remaining > 0 and fault.matches(call):
                fault.remaining -= 1
                return fault
        # One draw per call, so that shares of different kinds exclude each other.
        draw = self._random.random()
        edge = 0.0
        for fault in self._faults:
            if fault.remaining is None and fault.matches(call):
                edge += fault.share
                if draw < edge:
                    return fault
        return None

    # --- updates (what users do) --------------------------------------------------------------

    def _enqueue_update(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, kind: payload})
        self._notify()
        return update_id

    def _user_message(self, chat_id: int, user_id: int | None) -> FakeMessage:
        if user_id is None:
            if chat_id < 0:
                raise ValueError("a message in a group needs the user_id of its sender")
            user_id = chat_id
        chat = self._chat(chat_id)
        message = FakeMessage(
            chat_id=chat_id,
            message_id=chat.next_message_id,
            date=int(time.time()),
            from_bot=False,
            user_id=user_id,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        return message

    def user_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> FakeMessage:
        """A person writes `text` in a private chat (user_id = chat_id) or a group."""
        message = self._user_message(chat_id, user_id)
        message.text = text
        if reply_to_message_id is not None:
            message.reply_to = self.message(chat_id, reply_to_message_id)
        self._enqueue_update("message", self._message_json(message))
        return message

    def user_reply(
        self, chat_id: int, reply_to_message_id: int, text: str, *, user_id: int | None = None
    ) -> FakeMessage:
        """A person replies to a message (usually the bot's) with `text`."""
        return self.user_message(
            chat_id, text, user_id=user_id, reply_to_message_id=reply_to_message_id
        )

    def user_photo(
        self,
        chat_id: int,
        *,
        file_id: str | None = None,
        caption: str | None = None,
        user_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> FakeMessage:
        """A person sends a photo (a new file_id unless given)."""
        message = self._user_message(chat_id, user_id)
        message.media_kind = "photo"
        message.file_id = file_id or f"photo-{next(self._files)}"
        message.caption = caption
        if reply_to_message_id is not None:
            message.reply_to = self.message(chat_id, reply_to_message_id)
        self._enqueue_update("message", self._message_json(message))
        return message

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        user_id: int | None = None,
        check: bool = True,
    ) -> str:
        """A person presses an inline button of a bot message; returns the callback query id.

        With `check`, the message must be the bot's and carry a button with that data (as in
        Telegram, where nothing else can be pressed).
        """
        message = self.message(chat_id, message_id)
        if check:
            datas = [b.callback_data for b in self.buttons(chat_id, message_id)]
            if not message.from_bot or message.deleted or callback_data not in datas:
                raise ValueError(f"no button {callback_data!r} on message {message_id}: {datas}")
        if user_id is None:
            if chat_id < 0:
                raise ValueError("a press in a group needs the user_id of the person")
            user_id = chat_id
        self._last_callback_id += 1
        query_id = str(self._last_callback_id)
        self._enqueue_update(
            "callback_query",
            {
                "id": query_id,
                "from": _user_json(user_id),
                "chat_instance": str(chat_id),
                "message": self._message_json(message),
                "data": callback_data,
            },
        )
        return query_id

    def pending_updates(self) -> int:
        return len(self._updates)

    # --- the HTTP side ------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method_name = request.match_info["method"]
        params = await self._params(request)
        delayed = self.latency > 0 and method_name in DELIVERY_METHODS
        if delayed:
            await asyncio.sleep(self.latency / 2)
        call = Call(
            method=method_name,
            params=params,
            at=self.clock(),
            chat_id=_chat_id_of(params.get("chat_id")),
        )
        self.calls.append(call)
        try:
            if self.token is not None and request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            fault = self._pick_fault(call)
            if fault is not None and fault.kind != "lost_answer":
                return self._faulty(request, call, fault)
            handler = self._handlers().get(method_name.lower())
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if call.chat_id is not None:
                self._check_chat(call.chat_id)
            result = await handler(params)
            if delayed:
                await asyncio.sleep(self.latency / 2)
            if fault is not None:  # lost_answer: done, but the client never hears of it
                call.outcome = "lost_answer"
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=200)
            call.outcome = "ok"
            return web.json_response({"ok": True, "result": result})
        except ApiError as error:
            call.outcome = f"error {error.code}"
            return web.json_response(error.payload(), status=error.code)
        finally:
            self._notify()

    def _faulty(self, request: web.Request, call: Call, fault: _Fault) -> web.StreamResponse:
        call.outcome = fault.kind
        if fault.kind == "retry_after":
            call.retry_after = fault.retry_after
            error = ApiError(
                429, f"Too Many Requests: retry after {fault.retry_after}", fault.retry_after
            )
            return web.json_response(error.payload(), status=429)
        if fault.kind == "server_error":
            return web.json_response(ApiError(500, "Internal Server Error").payload(), status=500)
        if fault.kind == "bad_gateway":
            # What a proxy in front of the API answers: not JSON at all.
            return web.Response(
                status=502,
                text="<html><body>502 Bad Gateway</body></html>",
                content_type="text/html",
            )
        # drop: close the connection without an answer, before anything is done.
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=200)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                raw.update(body)
        elif request.method == "POST" and request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    raw[key] = {"uploaded": value.filename, "file_id": f"file-{next(self._files)}"}
                else:
                    raw[key] = value
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, str) and key in _JSON_FIELDS:
                value = json.loads(value)
            elif isinstance(value, str) and key in _INT_FIELDS and value.lstrip("-").isdigit():
                value = int(value)
            elif key == "chat_id":
                value = _chat_id_of(value) if _chat_id_of(value) is not None else value
            params[key] = value
        return params

    def _check_chat(self, chat_id: int) -> None:
        if chat_id in self.chat_not_found:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], Awaitable[Any]]]:
        return {
            "getme": self._get_me,
            "deletewebhook": self._true,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "sendvideo": self._send_video,
            "senddocument": self._send_document,
            "sendmediagroup": self._send_media_group,
            "editmessagetext": self._edit_text,
            "editmessagecaption": self._edit_caption,
            "editmessagereplymarkup": self._edit_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback,
            "setmycommands": self._set_commands,
            "getchat": self._get_chat,
        }

    # --- methods ------------------------------------------------------------------------------

    async def _true(self, _params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            **_bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            # As in Telegram: asking from `offset` confirms every update before it.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._updates and not self._closing and loop.time() < deadline:
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), deadline - loop.time())
            except TimeoutError:
                break
        return self._updates[:limit]

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(chat_id)
        return chat

    def _new_bot_message(self, chat_id: int, params: dict[str, Any]) -> FakeMessage:
        chat = self._chat(chat_id)
        message = FakeMessage(
            chat_id=chat_id,
            message_id=chat.next_message_id,
            date=int(time.time()),
            from_bot=True,
            reply_markup=self._markup(params),
        )
        reply_to = params.get("reply_to_message_id")
        if reply_to is None and isinstance(params.get("reply_parameters"), dict):
            reply_to = params["reply_parameters"].get("message_id")
        if reply_to is not None and int(reply_to) in chat.messages:
            message.reply_to = chat.messages[int(reply_to)]
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        return message

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if not isinstance(markup, dict):
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and len(str(data).encode()) > CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _require_chat(self, params: dict[str, Any]) -> int:
        chat_id = _chat_id_of(params.get("chat_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _checked_text(self, params: dict[str, Any], name: str, limit: int) -> str | None:
        text = params.get(name)
        if text is None:
            return None
        visible = _visible_text(str(text), params.get("parse_mode"))
        if _utf16_length(visible) > limit:
            what = "text" if name == "text" else "caption"
            raise ApiError(400, f"Bad Request: message {what} is too long")
        return str(text)

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        text = self._checked_text(params, "text", TEXT_LIMIT)
        if not text or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        message = self._new_bot_message(chat_id, params)
        message.text = text
        return self._message_json(message)

    async def _send_media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        caption = self._checked_text(params, "caption", CAPTION_LIMIT)
        file = params.get(kind)
        if isinstance(file, dict):
            file = file["file_id"]
        if not file:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        message = self._new_bot_message(chat_id, params)
        message.media_kind = kind
        message.file_id = str(file)
        message.caption = caption
        return self._message_json(message)

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "photo")

    async def _send_video(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "video")

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "document")

    async def _send_media_group(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = self._require_chat(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media in the group (2..10)")
        kinds = {item.get("type") for item in media}
        if "document" in kinds and kinds != {"document"}:
            raise ApiError(400, "Bad Request: documents can't be mixed with other media")
        group_id = str(next(self._media_groups))
        for item in media:
            if item.get("caption") is not None:
                caption_params = {"caption": item["caption"], "parse_mode": item.get("parse_mode")}
                self._checked_text(caption_params, "caption", CAPTION_LIMIT)
        answers = []
        for item in media:
            message = self._new_bot_message(chat_id, {})
            message.media_kind = str(item.get("type"))
            message.file_id = str(item.get("media"))
            message.caption = item.get("caption")
            message.media_group_id = group_id
            answers.append(self._message_json(message))
        return answers

    def _editable(self, params: dict[str, Any]) -> FakeMessage:
        chat_id = self._require_chat(params)
        message_id = params.get("message_id")
        chat = self._chats.get(chat_id)
        message = chat.messages.get(int(message_id)) if chat and message_id is not None else None
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _apply_edit(
        self,
        message: FakeMessage,
        *,
        text: str | None,
        caption: str | None,
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        if text == message.text and caption == message.caption and markup == message.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        message.edits.append(
            Edit(self.clock(), message.text, message.caption, message.reply_markup)
        )
        message.text, message.caption, message.reply_markup = text, caption, markup
        message.edit_date = int(time.time())
        return self._message_json(message)

    async def _edit_text(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        if message.text is None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = self._checked_text(params, "text", TEXT_LIMIT)
        if not text or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        return self._apply_edit(message, text=text, caption=None, markup=self._markup(params))

    async def _edit_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        if message.media_kind is None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = self._checked_text(params, "caption", CAPTION_LIMIT)
        return self._apply_edit(message, text=None, caption=caption, markup=self._markup(params))

    async def _edit_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        return self._apply_edit(
            message, text=message.text, caption=message.caption, markup=self._markup(params)
        )

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        chat_id = self._require_chat(params)
        chat = self._chats.get(chat_id)
        message_id = params.get("message_id")
        message = chat.messages.get(int(message_id)) if chat and message_id is not None else None
        if message is None or message.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        message.deleted = True
        return True

    def delete_by_user(self, chat_id: int, message_id: int) -> None:
        """Someone deletes a message in the chat (the bot learns of it only by failing)."""
        self.message(chat_id, message_id).deleted = True

    async def _answer_callback(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if not query_id.isdigit() or not 0 < int(query_id) <= self._last_callback_id:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if query_id in self.callback_answers:
            raise ApiError(400, "Bad Request: query is already answered")
        self.callback_answers[query_id] = params
        return True

    async def _set_commands(self, params: dict[str, Any]) -> bool:
        self.commands = list(params.get("commands") or [])
        return True

    async def _get_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(params)
        return {
            **_chat_json(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    # --- answer shapes ------------------------------------------------------------------------

    def _message_json(self, message: FakeMessage, *, nested: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": _chat_json(message.chat_id),
            "from": _bot_json() if message.from_bot else _user_json(message.user_id or 0),
        }
        if message.text is not None:
            body["text"] = message.text
        if message.caption is not None:
            body["caption"] = message.caption
        if message.media_kind == "photo":
            body["photo"] = [
                {
                    "file_id": message.file_id,
                    "file_unique_id": f"u-{message.file_id}",
                    "width": 90,
                    "height": 60,
                },
                {
                    "file_id": message.file_id,
                    "file_unique_id": f"u-{message.file_id}",
                    "width": 1280,
                    "height": 853,
                },
            ]
        elif message.media_kind == "video":
            body["video"] = {
                "file_id": message.file_id,
                "file_unique_id": f"u-{message.file_id}",
                "width": 1280,
                "height": 720,
                "duration": 10,
            }
        elif message.media_kind == "document":
            body["document"] = {
                "file_id": message.file_id,
                "file_unique_id": f"u-{message.file_id}",
            }
        if message.media_group_id is not None:
            body["media_group_id"] = message.media_group_id
        if message.reply_markup is not None:
            body["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            body["edit_date"] = message.edit_date
        if message.reply_to is not None and not nested:
            body["reply_to_message"] = self._message_json(message.reply_to, nested=True)
        return body


# --- checking Telegram's limits from the recorded calls -------------------------------------------


@dataclass(frozen=True)
class Violation:
    scope: str  # "overall", "group <id>" or "chat <id>"
    window: Window
    count: int  # sends seen in one stretch shorter than the window
    at: float  # when the stretch ended


def _weight(call: Call, window: Window) -> int:
    # A media group is several messages for Telegram's counters; the sender charges it the
    # same way, capped at the window's size (or it could never be sent at all).
    if call.method == "sendMediaGroup" and isinstance(call.params.get("media"), list):
        return min(len(call.params["media"]), window.count)
    return 1


def _window_violations(
    scope: str, calls: Sequence[Call], window: Window, slack: float
) -> list[Violation]:
    length = window.seconds - slack
    found: list[Violation] = []
    start = 0
    total = 0
    for call in calls:
        total += _weight(call, window)
        while calls[start].at <= call.at - length:
            total -= _weight(calls[start], window)
            start += 1
        if total > window.count:
            found.append(Violation(scope, window, total, call.at))
    return found


def limit_violations(
    calls: Iterable[Call],
    limits: SenderLimits,
    *,
    slack: float = 0.0,
    methods: frozenset[str] = DELIVERY_METHODS,
) -> list[Violation]:
    """Every stretch of time in which more was sent than the limits allow.

    All attempts count, failed ones too: each reached the API. `slack` shortens every window
    by that many seconds, to allow for jitter between the sender's clock and the arrival here
    (the sender's own `margin` covers the same jitter from its side).
    """
    relevant = sorted((c for c in calls if c.method in methods), key=lambda c: c.at)
    found = _window_violations("overall", relevant, limits.overall, slack)
    by_chat: dict[int, list[Call]] = {}
    for call in relevant:
        if call.chat_id is not None:
            by_chat.setdefault(call.chat_id, []).append(call)
    for chat_id, chat_calls in by_chat.items():
        found += _window_violations(f"chat {chat_id}", chat_calls, limits.per_chat, slack)
        if chat_id < 0:
            found += _window_violations(f"group {chat_id}", chat_calls, limits.per_group, slack)
    return found


# --- pytest -------------------------------------------------------------------------------------


@asynccontextmanager
async def running_fake_telegram(**kwargs: Any) -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(**kwargs)
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A running fake Bot API server (register with `pytest_plugins` or import it)."""
    async with running_fake_telegram() as server:
        yield server


@pytest.fixture
async def fake_bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    """An aiogram Bot pointed at `fake_telegram`."""
    bot = fake_telegram.bot()
    try:
        yield bot
    finally:
        await bot.session.close()
