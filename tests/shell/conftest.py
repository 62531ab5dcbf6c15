from __future__ import annotations

from tests.support.fake_telegram import fake_bot, fake_telegram

__all__ = ["fake_bot", "fake_telegram"]
