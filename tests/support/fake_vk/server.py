"""A fake VK API: `POST /method/{name}` with form fields, answered as VK answers.

It records every call, keeps the comments made (one per guid, as VK: a request repeated
with the same guid gets the comment already made), and can be told to answer the next calls
of a method with an error code, or to make the comment and then drop the connection without
an answer (a lost response).
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

GROUP_TOKEN = "vk1.a.group-token-for-tests-0123456789"
USER_TOKEN = "vk1.a.user-token-for-tests-0123456789"

ERROR_TEXTS = {
    6: "Too many requests per second",
    9: "Flood control",
    15: "Access denied",
    18: "User was deleted or banned",
    30: "This profile is private",
    222: "Hyperlinks are forbidden",
    223: "Too many replies",
}


@dataclass(frozen=True, slots=True)
class VkCall:
    method: str
    params: dict[str, str]


@dataclass
class VkComment:
    id: int
    method: str
    params: dict[str, str]

    @property
    def message(self) -> str:
        return self.params.get("message", "")


@dataclass
class FakeVk:
    calls: list[VkCall] = field(default_factory=list)
    comments: list[VkComment] = field(default_factory=list)
    uploads: list[bytes] = field(default_factory=list)
    url: str = ""
    _errors: dict[str, deque[int]] = field(default_factory=dict)
    _drops: dict[str, int] = field(default_factory=dict)
    _holds: dict[str, int] = field(default_factory=dict)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    _by_guid: dict[str, VkComment] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _next_id: int = 500

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/method/{method}", self._handle)
        app.router.add_post("/upload", self._upload)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/method"

    async def close(self) -> None:
        self.released.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what the test asks for -------------------------------------------------------------

    def fail_next(self, method: str, code: int, times: int = 1) -> None:
        self._errors.setdefault(method, deque()).extend([code] * times)

    def drop_next(self, method: str, times: int = 1) -> None:
        """Carry out the next call(s), then close the connection without answering."""
        self._drops[method] = self._drops.get(method, 0) + times

    def hold_next(self, method: str) -> None:
        """Carry out the next call, then keep its answer until `released` is set (the
        caller may be killed meanwhile)."""
        self._holds[method] = self._holds.get(method, 0) + 1

    def calls_of(self, method: str) -> list[VkCall]:
        return [call for call in self.calls if call.method == method]

    # --- the API --------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = {name: str(value) for name, value in (await request.post()).items()}
        self.calls.append(VkCall(method, params))
        if params.get("access_token") not in (GROUP_TOKEN, USER_TOKEN):
            return self._error(5, "User authorization failed: invalid access_token")
        if method == "board.createComment" and params["access_token"] != USER_TOKEN:
            return self._error(27, "Group authorization failed: method is unavailable")
        queued = self._errors.get(method)
        if queued:
            code = queued.popleft()
            return self._error(code, ERROR_TEXTS.get(code, "error"))
        if method == "photos.getWallUploadServer":
            if params["access_token"] != USER_TOKEN:
                return self._error(27, "Group authorization failed: method is unavailable")
            upload = self.url.removesuffix("/method") + "/upload"
            return web.json_response({"response": {"upload_url": upload, "album_id": -14}})
        if method == "photos.saveWallPhoto":
            self._next_id += 1
            owner = -int(params["group_id"])
            photo = {"id": self._next_id, "owner_id": owner, "text": params["photo"]}
            return web.json_response({"response": [photo]})
        if method not in ("wall.createComment", "board.createComment"):
            return self._error(3, "Unknown method passed")
        comment = self._comment(method, params)
        if self._holds.get(method):
            self._holds[method] -= 1
            await self.released.wait()
            raise ConnectionResetError("held until the caller was gone")
        if self._drops.get(method):
            self._drops[method] -= 1
            assert request.transport is not None
            request.transport.close()  # the comment is made; its answer is lost
            await asyncio.sleep(0)
            raise ConnectionResetError("dropped by the fake")
        if method == "wall.createComment":
            return web.json_response({"response": {"comment_id": comment.id, "parents_stack": []}})
        return web.json_response({"response": comment.id})

    async def _upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        photo = form["photo"]
        assert isinstance(photo, web.FileField)
        self.uploads.append(photo.file.read())
        return web.json_response({"server": 7, "photo": '[{"photo":"x"}]', "hash": "h"})

    def _comment(self, method: str, params: dict[str, str]) -> VkComment:
        guid = params.get("guid")
        if guid and guid in self._by_guid:
            return self._by_guid[guid]
        self._next_id += 1
        comment = VkComment(self._next_id, method, params)
        self.comments.append(comment)
        if guid:
            self._by_guid[guid] = comment
        return comment

    @staticmethod
    def _error(code: int, message: str) -> web.Response:
        body: dict[str, Any] = {"error": {"error_code": code, "error_msg": message}}
        return web.json_response(body)
