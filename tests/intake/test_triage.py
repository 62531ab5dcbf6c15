"""Triage hints, pure: near-duplicates, п.21 flags, topic suggestions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.intake.triage import (
    POSSIBLE_P21,
    TopicRule,
    TopicSuggester,
    TriageRules,
    author_key,
    is_near_duplicate,
    normalise,
    obscene_words,
    p21_flags,
    rules_from_mapping,
    similarity,
    threats,
)
from tests.intake.conftest import TOPICS

COMPLAINT = "Когда отремонтируют дорогу на улице Ленина? Яма у школы № 3 уже месяц!"


def test_normalise_folds_case_yo_and_punctuation() -> None:
    assert normalise("  Ёлки-палки!!  ЕЩЁ   раз… ") == "елки палки еще раз"


@pytest.mark.parametrize(
    "other",
    [
        COMPLAINT,
        COMPLAINT.upper(),
        "когда отремонтируют дорогу на улице ленина яма у школы 3 уже месяц",
        "Когда отремонтируют дорогу на улице Ленина?? Яма у школы №3 уже месяц!!!",
        "Когда отремонтируют дорогу на улице Ленина? Яма у школы № 3 уже месяц! Ответьте",
    ],
)
def test_near_identical_texts_are_duplicates(other: str) -> None:
    assert is_near_duplicate(COMPLAINT, other)


@pytest.mark.parametrize(
    "other",
    [
        "Когда уберут мусор во дворе дома 5 по улице Мира?",
        "Когда отремонтируют дорогу на улице Гагарина? Яма у детского сада уже неделю!",
        "",
        "   ",
    ],
)
def test_different_texts_are_not_duplicates(other: str) -> None:
    assert not is_near_duplicate(COMPLAINT, other)
    assert similarity(COMPLAINT, other) < 0.9


def test_empty_texts_are_never_duplicates() -> None:
    assert not is_near_duplicate("", "")
    assert not is_near_duplicate("!!!", "...")


def test_author_key_prefers_the_profile_and_ignores_case_and_slash() -> None:
    assert author_key("https://vk.com/ID1/", "A") == author_key("https://vk.com/id1", "B")
    assert author_key(None, " Иван  Петров ") == ("name", "иван петров")
    assert author_key(" ", None) is None


@pytest.mark.parametrize(
    "text",
    [
        "Да пошли вы нахуй со своей дорогой",
        "Хуёво работаете",
        "Какого хуя опять нет воды",
        "Это пиздец, а не дорога",
        "Опять всё спиздили",
        "Ебать, сколько можно ждать",
        "Ёбаный асфальт",
        "Заебали уже с этой ямой",
        "Наебали с ремонтом",
        "Разъебали весь двор",
        "Долбоёбы из администрации",
        "Бля, когда починят?",
        "Блядь, опять",
        "Сколько можно, блять",
    ],
)
def test_obscene_words_flag_possible_p21(text: str) -> None:
    assert obscene_words(text), text
    assert p21_flags(text) == [POSSIBLE_P21, "obscene"]


@pytest.mark.parametrize(
    "text",
    [
        "Убью главу, если не починят",
        "Сожгу вашу администрацию",
        "Прибью того, кто это сделал",
        "Взорву этот ЖЭК",
        "Я найду тебя, чиновник",
        "Найду вас всех по адресам",
        "Доберусь до вас ещё",
        "Зарежу",
        "Тебе не жить",
    ],
)
def test_threats_flag_possible_p21(text: str) -> None:
    assert threats(text), text
    assert p21_flags(text) == [POSSIBLE_P21, "threat"]


def test_obscenity_and_threat_together() -> None:
    assert p21_flags("Бля, убью") == [POSSIBLE_P21, "obscene", "threat"]


@pytest.mark.parametrize(
    "text",
    [
        "употреблять",
        "психолог",
        "колебаться",
        "Колеблется цена на хлеба кусок",
        "Небо над парком, себя не жалеем, ребята",
        "оскорблять и употреблять нельзя",
        "Застрахуйте дом, страхуем всех",
        "Стебли, гребля и учебник",
        "Требуется погребальный венок",
        "Бляшка на ремне, бляха-муха",
        "Хулиган похудел, Хуан приехал",
        "Подъезд и объезд, съела и уехала",
        "Ебург — это Екатеринбург",
        "Машины убьют детей на этом переходе",  # a fear, not the author's threat
        "Найду время зайти в администрацию",
        "Я вас ищу уже неделю: дорогу так и не починили",
        "Сожгли мусор во дворе, дышать нечем",
    ],
)
def test_ordinary_words_are_not_flagged(text: str) -> None:
    assert p21_flags(text) == [], (text, obscene_words(text), threats(text))


def test_topic_by_keywords_with_organisations() -> None:
    suggester = TopicSuggester(TOPICS)
    suggestion = suggester.suggest("Огромная яма на дороге, асфальт разбит")
    assert suggestion.topic == "Дороги"
    assert suggestion.org_codes == ("roads",)
    assert set(suggestion.matched) == {"дорог", "ям", "асфальт"}


def test_topic_phrase_keyword_needs_consecutive_words() -> None:
    suggester = TopicSuggester(TOPICS)
    assert suggester.suggest("Сломаны качели на детской площадке").topic == "Благоустройство"
    assert suggester.suggest("Детский сад закрыт, площадка пустая").topic is None


def test_topic_with_most_keywords_wins_and_ties_go_to_the_first_rule() -> None:
    suggester = TopicSuggester(TOPICS)
    assert suggester.suggest("Мусор в парке и в сквере, яма у входа").topic == "Благоустройство"
    assert suggester.suggest("Мусор у ямы").topic == "Дороги"


def test_topic_hint_naming_a_configured_topic_wins() -> None:
    suggestion = TopicSuggester(TOPICS).suggest("Яма на дороге", hint="  благоустройство ")
    assert (suggestion.topic, suggestion.org_codes) == ("Благоустройство", ("parks",))


def test_unknown_hint_is_kept_when_no_keyword_matches() -> None:
    suggester = TopicSuggester(TOPICS)
    assert suggester.suggest("Когда включат воду?", hint="ЖКХ").topic == "ЖКХ"
    assert suggester.suggest("Когда включат воду?", hint="ЖКХ").org_codes == ()
    assert suggester.suggest("Яма на дороге", hint="ЖКХ").topic == "Дороги"
    assert suggester.suggest("Когда включат воду?").topic is None


def test_rules_from_configuration_mapping() -> None:
    rules = rules_from_mapping(
        {"Дороги": {"keywords": ["дорог", "ям"], "orgs": ["roads"]}, "Вода": {"keywords": ["вод"]}}
    )
    assert rules == [
        TopicRule("Дороги", ("дорог", "ям"), ("roads",)),
        TopicRule("Вода", ("вод",), ()),
    ]
    with pytest.raises(ValueError, match="lists"):
        rules_from_mapping({"Дороги": {"keywords": "дорог"}})
    with pytest.raises(ValueError, match="keyword"):
        TopicRule("Пусто", ("  ",))


def test_hints_combine_flags_and_topic() -> None:
    hints = TriageRules(topics=TOPICS).hints("Бля, опять яма на дороге")
    assert hints.flags == (POSSIBLE_P21, "obscene")
    assert (hints.suggested_topic, hints.suggested_orgs) == ("Дороги", ("roads",))
    assert TriageRules().hints("Спасибо за работу").flags == ()


def test_rules_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        TriageRules(duplicate_ratio=0)
    with pytest.raises(ValueError):
        TriageRules(duplicate_window_hours=-1)


def test_triage_imports_without_aiohttp() -> None:
    code = (
        "import sys; sys.modules['aiohttp'] = None\n"
        "import bot.intake.triage, bot.intake\n"
        "assert 'aiohttp.web' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
