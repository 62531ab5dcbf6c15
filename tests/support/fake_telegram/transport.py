"""The HTTP side of the fake server: parsing requests, recording calls, injecting faults and
dispatching to the Bot API method handlers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from tests.support.fake_telegram.models import DELIVERY_METHODS, ApiError, Call, _Fault
from tests.support.fake_telegram.shapes import _chat_id_of

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


class _Transport:
    """Serving `/bot{token}/{method}`; mixed into FakeTelegram."""

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
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
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
            "getchatmember": self._get_chat_member,
        }
