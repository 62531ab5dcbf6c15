"""The doctor's and the backup's texts: every key they use is in both catalogues (the
general scan in test_locales looks for `.text("…")` calls; these go through `say("…")`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import LOCALES, catalogue_keys

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "bot" / "doctor.py", ROOT / "bot" / "backup.py"]
KEY = re.compile(r'"(ops\.[a-z_]+)"')


def _used() -> set[str]:
    return {key for path in SOURCES for key in KEY.findall(path.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_ops_key_is_translated_and_none_is_left_over(locale: str) -> None:
    used = _used()
    assert len(used) > 30
    defined = {key for key in catalogue_keys(locale) if key.startswith("ops.")}
    assert used - defined == set()
    assert defined - used == set()
