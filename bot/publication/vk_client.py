"""A small typed client for the few VK API methods the bot publishes with.

No VK library is used: the maintained ones either cannot be pointed at another API base
(tests run against a fake server on 127.0.0.1) or bring a whole bot framework. Requests are
form-encoded POSTs to `{base}/{method}`; VK answers `{"response": …}` or
`{"error": {"error_code": …, "error_msg": …}}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp

# Slow down and try again: too many requests per second (6), flood control (9), VK's own
# internal error (10).
TRANSIENT_CODES = frozenset({6, 9, 10})
# Never repeated (the publisher publishes by hand): 15 access denied, 18 page deleted or
# blocked, 30 private profile, 222 links forbidden, 223 too many replies; any other error too.
PERMANENT_CODES = frozenset({15, 18, 30, 222, 223})


class VkApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"VK error {code}: {message}")
        self.code = code
        self.message = message

    @property
    def transient(self) -> bool:
        return self.code in TRANSIENT_CODES


class VkTransportError(Exception):
    """No answer from VK (connection lost, timeout, not JSON): the request may or may not
    have been carried out, so it is repeated with the same guid."""


class VkClient:
    def __init__(
        self,
        base: str,
        version: str,
        *,
        timeout: float = 30,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._base = base.rstrip("/")
        self._version = version
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session = session
        self._own_session = session is None

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def call(self, method: str, token: str, params: Mapping[str, Any]) -> Any:
        data = {name: _form(value) for name, value in params.items() if value is not None}
        data.update(access_token=token, v=self._version)
        try:
            async with self._client().post(f"{self._base}/{method}", data=data) as response:
                if response.status >= 500:
                    raise VkTransportError(f"{method}: HTTP {response.status}")
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise VkTransportError(f"{method}: {type(error).__name__}: {error}") from error
        if not isinstance(body, Mapping):
            raise VkTransportError(f"{method}: unexpected answer {body!r:.200}")
        error = body.get("error")
        if isinstance(error, Mapping):
            raise VkApiError(int(error.get("error_code", 0)), str(error.get("error_msg", "")))
        if "response" not in body:
            raise VkTransportError(f"{method}: no response in {body!r:.200}")
        return body["response"]

    async def create_wall_comment(
        self,
        token: str,
        *,
        owner_id: int,
        post_id: int,
        message: str,
        guid: str,
        reply_to_comment: int | None = None,
        attachments: Sequence[str] = (),
    ) -> int:
        """wall.createComment from the community; the new comment's id."""
        answer = await self.call(
            "wall.createComment",
            token,
            {
                "owner_id": owner_id,
                "post_id": post_id,
                "from_group": -owner_id if owner_id < 0 else None,
                "message": message,
                "reply_to_comment": reply_to_comment,
                "attachments": ",".join(attachments) or None,
                "guid": guid,
            },
        )
        return _comment_id(answer)

    async def create_board_comment(
        self,
        token: str,
        *,
        group_id: int,
        topic_id: int,
        message: str,
        guid: str,
        attachments: Sequence[str] = (),
    ) -> int:
        """board.createComment on behalf of the community (a user token of its admin)."""
        answer = await self.call(
            "board.createComment",
            token,
            {
                "group_id": group_id,
                "topic_id": topic_id,
                "message": message,
                "from_group": 1,
                "attachments": ",".join(attachments) or None,
                "guid": guid,
            },
        )
        return _comment_id(answer)

    async def upload_wall_photo(
        self, token: str, *, group_id: int, content: bytes, filename: str = "photo.jpg"
    ) -> str:
        """A photo uploaded for the community's wall (a user token: VK lets only users
        upload); its attachment string `photo{owner}_{id}`."""
        server = await self.call("photos.getWallUploadServer", token, {"group_id": group_id})
        url = server.get("upload_url") if isinstance(server, Mapping) else None
        if not isinstance(url, str):
            raise VkTransportError(f"no upload_url in {server!r:.200}")
        form = aiohttp.FormData()
        form.add_field("photo", content, filename=filename, content_type="image/jpeg")
        try:
            async with self._client().post(url, data=form) as response:
                uploaded = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise VkTransportError(f"photo upload: {type(error).__name__}: {error}") from error
        if not isinstance(uploaded, Mapping) or not uploaded.get("photo"):
            raise VkTransportError(f"photo upload answered {uploaded!r:.200}")
        saved = await self.call(
            "photos.saveWallPhoto",
            token,
            {
                "group_id": group_id,
                "photo": uploaded["photo"],
                "server": uploaded.get("server"),
                "hash": uploaded.get("hash"),
            },
        )
        if not isinstance(saved, Sequence) or not saved or not isinstance(saved[0], Mapping):
            raise VkTransportError(f"photos.saveWallPhoto answered {saved!r:.200}")
        return f"photo{saved[0]['owner_id']}_{saved[0]['id']}"


def _form(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _comment_id(answer: Any) -> int:
    """wall.createComment answers {"comment_id": N}; board.createComment a bare N."""
    if isinstance(answer, Mapping):
        answer = answer.get("comment_id")
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise VkTransportError(f"no comment id in {answer!r:.200}")
    return answer
