"""п.16: is a publication link on the same network and the same post as the incident?

A publisher who answers by hand confirms with a link; a link to another network or another
post is no proof that the author got the answer. Links are compared by what names the post:
VK's wall post, topic, photo, video or product (a comment's `?reply=` is the answer's own
id, so it is ignored); a Telegram chat (the answer is a reply in the same group or under the
same channel post); elsewhere the host and the path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, urlsplit


class LinkProblem(StrEnum):
    NOT_A_LINK = "not_a_link"
    OTHER_NETWORK = "other_network"
    OTHER_POST = "other_post"


@dataclass(frozen=True, slots=True)
class PostKey:
    network: str  # "vk", "telegram", "ok", or the host
    post: str  # what names the post on that network


_NETWORKS = {
    "vk.com": "vk",
    "vk.ru": "vk",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "ok.ru": "ok",
    "odnoklassniki.ru": "ok",
}
_VK_ITEM = re.compile(r"(wall|topic|photo|video|product|board)(-?\d+)_(\d+)")
_OK_ITEM = re.compile(r"/(group|profile)/(\d+)/(topic|statuses)/(\d+)")


def post_key(url: str) -> PostKey | None:
    """What the link points at, or None when it is not an http(s) link."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url.strip():
        return None
    host = parts.hostname.lower().removeprefix("www.").removeprefix("m.")
    network = _NETWORKS.get(host, host)
    path = parts.path.rstrip("/")
    if network == "vk":
        query = parse_qs(parts.query)
        for candidate in (*query.get("w", ()), *query.get("z", ()), path):
            found = _VK_ITEM.search(candidate)
            if found:
                kind = "topic" if found[1] == "board" else found[1]
                return PostKey(network, f"{kind}{found[2]}_{found[3]}")
        return PostKey(network, path.lower())
    if network == "telegram":
        segments = [s for s in path.split("/") if s]
        if segments[:1] == ["c"] and len(segments) >= 2:
            return PostKey(network, f"c/{segments[1]}")
        return PostKey(network, segments[0].lower() if segments else "")
    if network == "ok":
        found = _OK_ITEM.search(path)
        if found:
            return PostKey(network, f"{found[1]}/{found[2]}/{found[3]}/{found[4]}")
    return PostKey(network, path)


def publication_link_problem(post_url: str, link: str) -> LinkProblem | None:
    """Why `link` cannot prove a publication under the post at `post_url`, or None."""
    given = post_key(link)
    if given is None:
        return LinkProblem.NOT_A_LINK
    origin = post_key(post_url)
    if origin is None:
        return None  # nothing to compare with: the link itself is all there is
    if given.network != origin.network:
        return LinkProblem.OTHER_NETWORK
    if given.post != origin.post:
        return LinkProblem.OTHER_POST
    return None
