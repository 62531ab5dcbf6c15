"""Pages as plain records: what a directory import writes and an export reads."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.pages import Network, PageKind


@dataclass(frozen=True, slots=True)
class PageRecord:
    organisation: str
    network: Network
    url: str  # normalised (workflow.pages.normalise_url)
    kind: PageKind
    responsible: str | None = None  # a person's key
    authorised: tuple[str, ...] = ()  # people's keys
    vk_group_id: int | None = None
    telegram_chat_id: int | None = None
    title: str | None = None
    state_mark: bool = False
    gospubliki: bool = False
    weekly_quota: int | None = None  # None: the kind's default
