"""The one rule for control characters in what comes in, the same for every source.

NUL and the other C0 control codes (U+0000–U+001F) but tab, line feed and carriage return
are removed from every text of a post: its text, link, author, external id, attachments'
links, and the topic hint. They are stripped rather than refused because a citizen's
comment must not be lost for an invisible character (a Telegram or VK comment has nobody
to answer a refusal), and they are never stored or sent on. The HTTP API's schema applies
the same function before its checks, so a field left empty by it is refused there (422).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from workflow.model import Post

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def without_control_chars(value: str) -> str:
    return _CONTROL.sub("", value)


def _optional(value: str | None) -> str | None:
    return None if value is None else without_control_chars(value)


def cleaned_post(post: Post) -> Post:
    """The post with control characters removed from every text field."""
    return replace(
        post,
        url=without_control_chars(post.url),
        text=without_control_chars(post.text),
        author_name=_optional(post.author_name),
        author_url=_optional(post.author_url),
        external_id=_optional(post.external_id),
        attachments=tuple(without_control_chars(a) for a in post.attachments),
    )


def cleaned_json(value: Any) -> Any:
    """A parsed JSON body with the same rule applied to every string in it."""
    if isinstance(value, str):
        return without_control_chars(value)
    if isinstance(value, list):
        return [cleaned_json(item) for item in value]
    if isinstance(value, dict):
        return {key: cleaned_json(item) for key, item in value.items()}
    return value
