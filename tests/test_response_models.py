"""aiogram's response models stay built: no request pays for building one again."""

from __future__ import annotations

import gc

from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage
from aiogram.methods.base import Response
from pydantic._internal import _generics

from bot.response_models import pin_response_models


def _cached(result_type: object) -> bool:
    return _generics.get_cached_generic_type_early(Response, result_type) is not None


def test_response_models_survive_garbage_collection_once_pinned() -> None:
    assert pin_response_models() >= 30  # every distinct result type of the Bot API methods
    gc.collect()
    for method in (SendMessage, EditMessageText, AnswerCallbackQuery):
        assert _cached(method.__returning__), method.__name__
