"""The sender's text requests, reading only the message id from Telegram's answer.

aiogram validates every answer into a full `Message`: for a card that is its text, its
entities and its keyboard, validated again only to read one number. These requests are
aiogram's own `editMessageText` and `sendMessage`, with the answer read as `Delivered`.
"""

from __future__ import annotations

from typing import ClassVar

from aiogram.methods import EditMessageText, SendMessage
from pydantic import BaseModel, ConfigDict


class Delivered(BaseModel):
    """The message Telegram sent or edited: its id, the rest of the answer ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    message_id: int


class EditText(EditMessageText):
    # True stands for an inline message, which the sender never edits.
    __returning__: ClassVar[object] = Delivered | bool


class SendText(SendMessage):
    __returning__: ClassVar[object] = Delivered
