"""The directory as plain records: what an import writes and an export reads.

The YAML schema (bot/directory/schema.py) is converted to and from these, so that the
database side knows nothing of the file format.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from db.pages_records import PageRecord
from workflow.roles import Role

KINDS = ("organisations", "people", "chats")


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    code: str
    name: str
    is_centre: bool
    timezone: str | None
    office_hours: str | None
    topics: tuple[str, ...] = ()
    publish: str | None = None  # п.16: auto | press | manual; None: auto


@dataclass(frozen=True, slots=True)
class PersonRecord:
    key: str
    full_name: str
    telegram_id: int | None
    username: str | None
    roles: tuple[Role, ...]
    organisation: str | None
    stand_ins: tuple[str, ...]  # keys, preferred first
    locale: str | None
    active: bool
    vk_id: int | None = None  # the VK account: its posts are not incidents (п.10)


@dataclass(frozen=True, slots=True)
class ChatRecord:
    chat_id: int
    title: str | None
    organisation: str


@dataclass(frozen=True, slots=True)
class DirectoryRecords:
    """Organisations (the centre first when there is one), people, chats."""

    organisations: tuple[OrganisationRecord, ...]
    people: tuple[PersonRecord, ...]
    chats: tuple[ChatRecord, ...]
    pages: tuple[PageRecord, ...] = ()  # official pages (db/pages_sync.py)

    @property
    def centre(self) -> OrganisationRecord | None:
        return next((org for org in self.organisations if org.is_centre), None)


@dataclass
class SyncReport:
    """What an import changed, per kind of entry ("organisations", "people", "chats")."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    reactivated: Counter[str] = field(default_factory=Counter)
    deactivated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)  # not changes: things the operator should know

    def _counters(self) -> tuple[tuple[str, Counter[str]], ...]:
        return (
            ("created", self.created),
            ("updated", self.updated),
            ("reactivated", self.reactivated),
            ("deactivated", self.deactivated),
            ("deleted", self.deleted),
        )

    @property
    def changed(self) -> bool:
        return any(counter.total() for _, counter in self._counters())

    def summary(self) -> str:
        if not self.changed:
            return "no changes"
        parts = []
        for kind in KINDS:
            counts = [
                f"{counter[kind]} {verb}" for verb, counter in self._counters() if counter[kind]
            ]
            if counts:
                parts.append(f"{kind}: {', '.join(counts)}")
        return "; ".join(parts)
