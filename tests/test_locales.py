"""Both catalogues complete: every key the code can produce has Russian and English text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import LOCALES, LOCALES_DIR, Translator, catalogue_keys, placeholders
from bot.views.callbacks import Act
from workflow.commands import EVENT_NAMES
from workflow.errors import RefusalCode
from workflow.model import (
    AssignmentStatus,
    DeadlineKind,
    DraftKind,
    DraftStatus,
    Importance,
    IncidentStatus,
    NoAnswerReason,
    ReturnReason,
    Source,
)
from workflow.policy import Publisher
from workflow.roles import Role

ROOT = Path(__file__).resolve().parent.parent
LITERAL_KEY = re.compile(
    r"""\bt\(\s*"([a-z_]+(?:\.[a-z_]+)+)"|\.text\(\s*"([a-z_]+(?:\.[a-z_]+)+)\""""
)
# Keys chosen in code before the call (`key = "compose.resume" if … else "compose.start"`).
NAMESPACED_LITERAL = re.compile(
    r'"((?:compose|ask|away|flow|done|report|admin|directory|registration|stranger|help|card'
    r'|error|review|time|menu|button)\.[a-z_]+(?:\.[a-z_]+)*)"'
)
WORKFLOW_KEY = re.compile(r'"((?:incident|draft|info|deadline|digest)\.[a-z_]+)"')


def _enum_keys() -> set[str]:
    keys: set[str] = set()
    for prefix, enum in [
        ("source", Source),
        ("status", IncidentStatus),
        ("assignment", AssignmentStatus),
        ("draft.kind", DraftKind),
        ("draft.status", DraftStatus),
        ("reason", ReturnReason),
        ("no_answer", NoAnswerReason),
        ("deadline.kind", DeadlineKind),
        ("role", Role),
        ("importance", Importance),
        ("publisher", Publisher),
        ("refusal", RefusalCode),
    ]:
        keys |= {f"{prefix}.{member.value}" for member in enum}
    keys |= {f"button.{act.name.lower()}" for act in Act}
    commands = {*EVENT_NAMES, "detect"}
    keys |= {f"event.{command}" for command in commands}
    for command in commands:
        if command == "submit_draft":
            keys |= {f"timeline.submit_draft.{kind.value}" for kind in DraftKind}
        elif command == "confirm_publication":
            keys |= {
                f"timeline.confirm_publication.{kind.value}"
                for kind in DraftKind
                if kind is not DraftKind.INFO
            }
        elif command == "review":
            keys |= {"timeline.review.approved", "timeline.review.returned"}
        else:
            keys.add(f"timeline.{command}")
    keys |= {f"timeline.deadline.{end}" for end in ("met", "met_late", "overdue", "lapsed")}
    keys |= {f"done.importance.{level.value}" for level in Importance}
    return keys


def _source_keys() -> set[str]:
    keys: set[str] = set()
    for folder in ("handlers", "bot"):
        for path in (ROOT / folder).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            for match in LITERAL_KEY.finditer(source):
                keys.add(match.group(1) or match.group(2))
            keys |= set(NAMESPACED_LITERAL.findall(source))
    for path in (ROOT / "workflow").rglob("*.py"):
        keys |= set(WORKFLOW_KEY.findall(path.read_text(encoding="utf-8")))
    keys -= {f"deadline.kind.{kind.value}" for kind in DeadlineKind}  # enum, counted above
    keys -= {f"draft.kind.{kind.value}" for kind in DraftKind}
    return {
        key for key in keys if not key.startswith(("deadline.kind", "draft.kind", "draft.status"))
    }


def required_keys() -> set[str]:
    return _enum_keys() | _source_keys()


@pytest.mark.parametrize("locale", LOCALES)
def test_every_key_the_code_uses_is_translated(locale: str) -> None:
    missing = required_keys() - set(catalogue_keys(locale))
    assert missing == set()


def test_the_scan_finds_keys_in_handlers_and_workflow() -> None:
    found = _source_keys()
    assert {"compose.start", "incident.routed", "draft.returned", "card.title"} <= found


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    russian, english = catalogue_keys("ru"), catalogue_keys("en")
    assert set(russian) == set(english)
    mismatched = {
        key for key in russian if placeholders(russian[key]) != placeholders(english[key])
    }
    assert mismatched == set()


def test_translator_renders_russian_by_default_and_english_on_request() -> None:
    translator = Translator()
    assert translator.text("error.incident_gone", None, id=5) == "Инцидент №5 не найден."
    assert translator.text("error.incident_gone", "en", id=5) == "Incident #5 not found."


def test_a_missing_parameter_shows_a_dash_not_an_error() -> None:
    assert Translator().text("error.incident_gone", "ru") == "Инцидент №— не найден."


@pytest.mark.parametrize("locale", LOCALES)
def test_no_message_exceeds_telegram_limits(locale: str) -> None:
    assert all(len(text) < 1000 for text in catalogue_keys(locale).values())


def test_the_catalogues_on_disk_are_the_supported_languages() -> None:
    on_disk = {path.parent.parent.name for path in LOCALES_DIR.glob("*/LC_MESSAGES/*.po")}
    assert on_disk == set(LOCALES)
    assert LOCALES[0] == "ru"  # Russian first: the regulation's language and the fallback


def test_the_directory_accepts_exactly_the_supported_languages() -> None:
    from pydantic import ValidationError

    from bot.directory.schema import PersonSpec

    for locale in LOCALES:
        assert PersonSpec(key="a.b", full_name="A B", locale=locale).locale == locale
    accepted = ", ".join(LOCALES)
    with pytest.raises(ValidationError, match=f'unknown locale "de"; accepted: {accepted}'):
        PersonSpec(key="a.b", full_name="A B", locale="de")


def _write_po(path: Path, entries: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f'\nmsgid "{key}"\nmsgstr "{text}"\n' for key, text in entries.items())
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n' + body)


def test_a_topic_catalogue_beside_the_main_one_is_part_of_the_locale(tmp_path: Path) -> None:
    for locale in LOCALES:
        _write_po(tmp_path / locale / "LC_MESSAGES" / "messages.po", {"a.main": f"main-{locale}"})
        _write_po(tmp_path / locale / "LC_MESSAGES" / "extra.po", {"b.topic": f"topic-{locale}"})
    translator = Translator(tmp_path)
    assert translator.text("b.topic", "en") == "topic-en"
    assert translator.text("a.main", "ru") == "main-ru"
    assert catalogue_keys("ru", tmp_path) == {"a.main": "main-ru", "b.topic": "topic-ru"}


def test_no_key_is_defined_in_two_catalogue_files() -> None:
    from babel.messages.pofile import read_po

    for locale in LOCALES:
        seen: dict[str, str] = {}
        doubled: set[str] = set()
        for po_path in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
            with po_path.open("rb") as source:
                for message in read_po(source, locale=locale):
                    if message.id and str(message.id) in seen:
                        doubled.add(str(message.id))
                    seen[str(message.id)] = po_path.name
        assert doubled == set()
