"""The triage rules with a clear lifetime: loaded once, kept until `refresh()`.

The topic rules come from a file (fixed for the process) or from the organisations' own
topics in the directory, which change only when the directory is imported; whoever imports
it calls `refresh()`, and the next intake reloads them inside its own unit of work.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.intake.triage import DUPLICATE_RATIO, TopicRule, TriageRules, rules_from_mapping
from db.uow import UnitOfWork

RulesLoader = Callable[[UnitOfWork], Awaitable[TriageRules]]


class TriageRulesCache:
    """The rules, built at most once per directory version (one load per `refresh()`)."""

    def __init__(self, load: RulesLoader) -> None:
        self._load = load
        self._rules: TriageRules | None = None
        self.loads = 0  # how many times the rules were built (tests and benchmarks read it)

    @classmethod
    def fixed(cls, rules: TriageRules) -> TriageRulesCache:
        """Rules that never change (tests, a topics file read at start)."""

        async def load(uow: UnitOfWork) -> TriageRules:
            return rules

        cache = cls(load)
        cache._rules = rules
        return cache

    @property
    def current(self) -> TriageRules | None:
        """The rules as last loaded, or None until the first intake after a refresh."""
        return self._rules

    async def get(self, uow: UnitOfWork) -> TriageRules:
        rules = self._rules
        if rules is None:
            rules = await self._load(uow)
            self._rules = rules
            self.loads += 1
        return rules

    def refresh(self) -> None:
        """Forget the rules: the directory (or the topics) changed."""
        self._rules = None


def rules_from_file(path: Path, duplicate_ratio: float = DUPLICATE_RATIO) -> TriageRules:
    """INTAKE_TOPICS_FILE: {topic: {"keywords": [...], "orgs": [...]}} in YAML or JSON."""
    mapping: Mapping[str, Mapping[str, Any]] = (
        yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    )
    return TriageRules(topics=rules_from_mapping(mapping), duplicate_ratio=duplicate_ratio)


def directory_rules_loader(duplicate_ratio: float = DUPLICATE_RATIO) -> RulesLoader:
    """Each organisation's own topics suggest it (the directory's `topics`)."""

    async def load(uow: UnitOfWork) -> TriageRules:
        organisations = await uow.directory.organisations()
        topics = [
            TopicRule(str(topic), (str(topic).lower(),), (org.code,))
            for org in organisations
            if not org.is_centre
            for topic in org.topics or []
        ]
        return TriageRules(topics=topics, duplicate_ratio=duplicate_ratio)

    return load
