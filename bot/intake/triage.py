"""Triage hints for a new post: near-duplicates, possible п.21 cases, a suggested topic.

Pure functions, no I/O and no aiohttp, so they are tested on their own and can be reused by
the Telegram intake. Every result is a hint for the curator, who still decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Any

# --- text -------------------------------------------------------------------------------------

_NON_WORD = re.compile(r"[^\w]+|_+")


def normalise(text: str) -> str:
    """Lower case, ё as е, punctuation and runs of spaces as one space."""
    lowered = text.lower().replace("ё", "е")
    return " ".join(_NON_WORD.sub(" ", lowered).split())


def words(text: str) -> list[str]:
    return normalise(text).split()


# --- near-duplicates --------------------------------------------------------------------------

DUPLICATE_RATIO = 0.9


def similarity(a: str, b: str) -> float:
    """difflib's ratio of the normalised texts (1.0: the same words in the same order)."""
    left, right = normalise(a), normalise(b)
    if not left or not right:
        return 0.0  # a photo without text is no evidence of repetition
    return SequenceMatcher(None, left, right, autojunk=False).ratio()


def is_near_duplicate(a: str, b: str, threshold: float = DUPLICATE_RATIO) -> bool:
    left, right = normalise(a), normalise(b)
    if not left or not right:
        return False
    if left == right:
        return True
    matcher = SequenceMatcher(None, left, right, autojunk=False)
    # The cheap upper bounds first: most candidates are plainly different.
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return False
    return matcher.ratio() >= threshold


def author_key(author_url: str | None, author_name: str | None) -> tuple[str, str] | None:
    """Who wrote a post, for comparing authors: the profile URL, else the name, else nobody."""
    if author_url and author_url.strip():
        return ("url", author_url.strip().rstrip("/").lower())
    if author_name and author_name.strip():
        return ("name", " ".join(author_name.split()).lower())
    return None


# --- п.21: obscenity and threats --------------------------------------------------------------

POSSIBLE_P21 = "possible_p21"
OBSCENE = "obscene"
THREAT = "threat"

# Obscene roots, matched on whole words (after ё→е) so that "употреблять", "колебаться",
# "оскорблять", "страхуй" or "хлеба" do not match. Kept short on purpose: a false alarm costs
# the curator a glance, a long list costs everyone false alarms.
_PREFIXES = r"(?:на|по|ни|за|от|до|о|об|вы|с|рас|раз|под|при|про|пере|у|недо)?"
_OBSCENE_WORDS: tuple[re.Pattern[str], ...] = (
    # хуй, хуе-, хуя-, хуи-, with prefixes: нахуй, похуй, нихуя, охуел, захуярить
    re.compile(rf"^{_PREFIXES}ху[йеяию]"),
    # пизд- anywhere: no ordinary Russian word contains it
    re.compile(r"пизд"),
    # еб-/ёб- forms at the start of a word or after a prefix (ъ where spelling needs it):
    # ебать, ебаный, ебло, заебал, наебал, съебать, разъебать, долбоеб; not "небо", "себя"
    re.compile(
        r"^(?:на|по|за|от|до|вы|у|о|пере|при|про|недо|съ|подъ|разъ|объ|изъ|взъ|въ|отъ|долбо)?"
        r"еб(?!ург)(?:[аеилнуы]|ок|$)"
    ),
    # бля, блядь, блять, бляди; not "бляха", "бляшка"
    re.compile(r"^бля(?:$|д|т)"),
)

# Threats to life, health or property (п.21), as whole words or exact phrases.
_THREAT_WORDS: frozenset[str] = frozenset(
    {
        "убью",
        "убьем",
        "прибью",
        "сожгу",
        "сожжем",
        "подожгу",
        "подожжем",
        "взорву",
        "взорвем",
        "зарежу",
        "прирежу",
        "пристрелю",
        "застрелю",
        "задушу",
        "придушу",
        "урою",
    }
)
_THREAT_PHRASES: tuple[tuple[str, ...], ...] = (
    ("найду", "тебя"),
    ("найду", "вас"),
    ("найдем", "тебя"),
    ("найдем", "вас"),
    ("доберусь", "до", "тебя"),
    ("доберусь", "до", "вас"),
    ("доберемся", "до", "тебя"),
    ("доберемся", "до", "вас"),
    ("ноги", "переломаю"),
    ("голову", "оторву"),
    ("тебе", "не", "жить"),
    ("вам", "не", "жить"),
)


def obscene_words(text: str) -> list[str]:
    return [w for w in words(text) if any(p.search(w) for p in _OBSCENE_WORDS)]


def threats(text: str) -> list[str]:
    tokens = words(text)
    found = [w for w in tokens if w in _THREAT_WORDS]
    for phrase in _THREAT_PHRASES:
        size = len(phrase)
        for start in range(len(tokens) - size + 1):
            if tuple(tokens[start : start + size]) == phrase:
                found.append(" ".join(phrase))
                break
    return found


def p21_flags(text: str) -> list[str]:
    """["possible_p21", "obscene"?, "threat"?], or [] when nothing was found."""
    reasons = []
    if obscene_words(text):
        reasons.append(OBSCENE)
    if threats(text):
        reasons.append(THREAT)
    return [POSSIBLE_P21, *reasons] if reasons else []


# --- topics -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TopicRule:
    """A topic, the keywords that suggest it (word stems or phrases) and who handles it."""

    topic: str
    keywords: tuple[str, ...]
    org_codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.topic.strip():
            raise ValueError("a topic needs a name")
        if not any(normalise(k) for k in self.keywords):
            raise ValueError(f"topic {self.topic!r} needs at least one keyword")


@dataclass(frozen=True, slots=True)
class TopicSuggestion:
    topic: str | None
    org_codes: tuple[str, ...] = ()
    matched: tuple[str, ...] = ()  # the keywords found, for the curator's trust and for tests


def rules_from_mapping(mapping: Mapping[str, Mapping[str, Any]]) -> list[TopicRule]:
    """Configuration shape: {topic: {"keywords": [...], "orgs": [...]}} (YAML or JSON)."""
    rules = []
    for topic, spec in mapping.items():
        keywords = spec.get("keywords") or []
        orgs = spec.get("orgs") or spec.get("org_codes") or []
        if isinstance(keywords, str) or isinstance(orgs, str):
            raise ValueError(f"topic {topic!r}: keywords and orgs must be lists")
        rules.append(TopicRule(str(topic), tuple(map(str, keywords)), tuple(map(str, orgs))))
    return rules


class TopicSuggester:
    """Suggests the topic whose keywords occur most often; ties go to the earlier rule."""

    def __init__(self, rules: Iterable[TopicRule]) -> None:
        self._rules = list(rules)
        self._compiled = [
            (rule, [(keyword, tuple(normalise(keyword).split())) for keyword in rule.keywords])
            for rule in self._rules
        ]
        self._by_name = {normalise(rule.topic): rule for rule in self._rules}

    @property
    def rules(self) -> Sequence[TopicRule]:
        return tuple(self._rules)

    def suggest(self, text: str, hint: str | None = None) -> TopicSuggestion:
        """A hint naming a configured topic wins; else the keywords; else the hint as given."""
        if hint and (rule := self._by_name.get(normalise(hint))) is not None:
            return TopicSuggestion(rule.topic, rule.org_codes)
        tokens = words(text)
        best: tuple[int, TopicRule, tuple[str, ...]] | None = None
        for rule, keywords in self._compiled:
            matched = tuple(k for k, stems in keywords if stems and _contains(tokens, stems))
            if matched and (best is None or len(matched) > best[0]):
                best = (len(matched), rule, matched)
        if best is not None:
            return TopicSuggestion(best[1].topic, best[1].org_codes, best[2])
        if hint and hint.strip():
            return TopicSuggestion(hint.strip())
        return TopicSuggestion(None)


def _contains(tokens: Sequence[str], stems: tuple[str, ...]) -> bool:
    """Consecutive tokens starting with the stems ("дорог", "ям" matches "дороге ямы")."""
    size = len(stems)
    for start in range(len(tokens) - size + 1):
        if all(tokens[start + i].startswith(stems[i]) for i in range(size)):
            return True
    return False


# --- posts that are no incident (п.10) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sender:
    """Who posted, as the network names them: VK's `from_id` (negative for a community),
    a Telegram user's id, or the id of the chat a Telegram message was sent on behalf of."""

    network: str  # a Source value: "vk", "telegram", …
    account_id: int


class NotAnIncident(StrEnum):
    COMMUNITY = "community"  # the administration's own community or channel wrote it
    OFFICIAL = "official"  # an official the directory knows wrote it


def not_an_incident(
    sender: Sender | None, community: frozenset[Sender], officials: frozenset[Sender]
) -> NotAnIncident | None:
    """The one decision whether a post is the administration's own rather than a citizen's
    (п.10: "публикация администрации или её должностного лица" needs no answer). Its own
    posts are most often the answer being published; they open no incident."""
    if sender is None:
        return None
    if sender in community:
        return NotAnIncident.COMMUNITY
    if sender in officials:
        return NotAnIncident.OFFICIAL
    return None


# --- everything together ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hints:
    flags: tuple[str, ...] = ()
    suggested_topic: str | None = None
    suggested_orgs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TriageRules:
    """What triage needs from configuration; built once at start."""

    topics: Sequence[TopicRule] = ()
    duplicate_ratio: float = DUPLICATE_RATIO
    duplicate_window_hours: float = 24.0
    _suggester: TopicSuggester = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0.0 < self.duplicate_ratio <= 1.0:
            raise ValueError("duplicate_ratio must be in (0, 1]")
        if self.duplicate_window_hours <= 0:
            raise ValueError("duplicate_window_hours must be positive")
        object.__setattr__(self, "_suggester", TopicSuggester(self.topics))

    def hints(self, text: str, topic_hint: str | None = None) -> Hints:
        suggestion = self._suggester.suggest(text, topic_hint)
        return Hints(
            flags=tuple(p21_flags(text)),
            suggested_topic=suggestion.topic,
            suggested_orgs=suggestion.org_codes,
        )
