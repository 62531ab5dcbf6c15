"""Telegram's checks of message text: the tags HTML parse mode accepts, and the length of
the text as shown, counted in UTF-16 code units."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.support.fake_telegram.models import ApiError

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
