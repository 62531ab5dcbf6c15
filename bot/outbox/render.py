"""What the sender needs from the Telegram layer: turning an outbox row into a message.

The renderer is supplied from outside (the handlers' card and notification rendering, with
the row's locale); the sender only knows this protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aiogram.types import BufferedInputFile, InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import OutboxRow
from workflow.model import MediaKind

MEDIA_GROUP_MAX = 10
CAPTION_MAX = 1024


@dataclass(frozen=True)
class Media:
    kind: MediaKind
    file_id: str  # Telegram's id of a file it has; unused when `data` is given
    data: bytes | None = None  # a file drawn for this row (a report's chart or table)
    filename: str = "file"

    def input_file(self) -> str | BufferedInputFile:
        return (
            BufferedInputFile(self.data, self.filename) if self.data is not None else self.file_id
        )


@dataclass(frozen=True)
class Rendered:
    """A message ready to send: HTML text, an optional inline keyboard, optional media.

    One media item goes out as a photo, video or document with the text as its caption
    (when the text fits a caption); several go out as an album followed by the text. An
    incident card is always a text message (so that it can be edited in place): its media,
    if any, are sent once before it, when the card is first sent.
    """

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    media: tuple[Media, ...] = ()

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("a rendered message needs a text")
        if len(self.media) > MEDIA_GROUP_MAX:
            raise ValueError(f"at most {MEDIA_GROUP_MAX} media in one message")
        kinds = {item.kind for item in self.media}
        if len(self.media) > 1 and MediaKind.DOCUMENT in kinds and len(kinds) > 1:
            raise ValueError("Telegram does not mix documents with photos or videos in an album")

    @property
    def fits_caption(self) -> bool:
        # The HTML source is never shorter than what Telegram counts: a safe test.
        return len(self.text) <= CAPTION_MAX


class Renderer(Protocol):
    """Renders a row in its locale. May read the database (the session is the sender's)."""

    async def __call__(self, session: AsyncSession, row: OutboxRow) -> Rendered: ...
