"""The curator's guided steps (each waits for a text or a choice)."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class AskCurator(StatesGroup):
    topic_location = State()
    picking = State()
    return_comment = State()
    reopen_comment = State()
    stage_limits = State()
    duplicate_of = State()  # п.10: the number of the incident a duplicate repeats
    withdraw_comment = State()  # п.19: why a silent organisation is withdrawn
