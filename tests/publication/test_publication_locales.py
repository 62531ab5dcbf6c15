"""Every text of the publication topic exists in both languages (the general scan in
tests/test_locales.py does not look for the `publication.` namespace)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import LOCALES
from bot.publication.vk_client import PERMANENT_CODES
from bot.services.post_changes import ChangeKind
from bot.services.publication import Pressed
from tests.test_locales import catalogue_keys
from workflow.post_links import LinkProblem

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r'"(publication\.[a-z_]+(?:\.[a-z_]+)*)"')
SOURCES = ("bot/services/publication.py", "bot/publication/worker.py", "handlers/publication.py")
PROBLEMS = ("vk_other", "uncertain", "unreachable", "telegram_refused", "not_configured")


def publication_keys() -> set[str]:
    keys: set[str] = set()
    for name in SOURCES:
        keys |= set(KEY.findall((ROOT / name).read_text(encoding="utf-8")))
    keys |= {f"publication.problem.vk_{code}" for code in PERMANENT_CODES}
    keys |= {f"publication.problem.{problem}" for problem in (*PROBLEMS, "not_recorded")}
    keys |= {f"publication.pressed.{pressed.value}" for pressed in Pressed}
    keys |= {f"publication.link.{problem.value}" for problem in LinkProblem}
    keys |= {f"publication.post_{kind.value}" for kind in ChangeKind}
    keys |= {"card.published", "card.post_deleted", "card.post_edited"}
    return keys


@pytest.mark.parametrize("locale", LOCALES)
def test_every_publication_text_is_translated(locale: str) -> None:
    found = publication_keys()
    assert "publication.failed" in found and "publication.copy_text" in found
    assert found - set(catalogue_keys(locale)) == set()
