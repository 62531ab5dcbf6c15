"""Fixtures of the delivery tests: the fake Bot API server and a Bot pointed at it."""

from tests.support.fake_telegram import fake_bot, fake_telegram

__all__ = ["fake_bot", "fake_telegram"]
