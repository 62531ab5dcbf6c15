"""The pages section across the file: references, duplicates, link against network; and
the conversion of a page entry to and from its record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.directory.checks import INVALID, Fields, Finding, Location
from bot.directory.schema import PageSpec, did_you_mean
from db.pages_records import PageRecord
from workflow.pages import Network, network_of


def check_pages(
    centre: Fields | None,
    organisations: Sequence[tuple[int, Fields]],
    people: Sequence[tuple[int, Fields]],
    pages: Sequence[tuple[int, Fields]],
) -> list[Finding]:
    findings: list[Finding] = []
    codes = {org["code"] for _, org in organisations}
    if centre is not None:
        codes.add(centre["code"])
    codes_unsure = INVALID in codes or centre is None
    keys = {person["key"] for _, person in people}
    keys_unsure = INVALID in keys
    urls: dict[Any, Location] = {}
    for index, page in pages:
        at: Location = ("pages", index)
        code = page["organisation"]
        if code is not INVALID and code not in codes and not codes_unsure:
            hint = did_you_mean(code, sorted(codes - {INVALID}))
            findings.append(
                Finding(
                    (*at, "organisation"),
                    f'unknown organisation "{code}"{hint}; accepted: a code from organisations',
                )
            )
        named = [("responsible", page["responsible"])]
        if page["authorised"] is not INVALID:
            named += [(("authorised", i), key) for i, key in enumerate(page["authorised"])]
        for where, key in named:
            if key is None or key is INVALID or key in keys or keys_unsure:
                continue
            path = (*at, *(where if isinstance(where, tuple) else (where,)))
            hint = did_you_mean(key, sorted(keys - {INVALID}))
            findings.append(
                Finding(path, f'unknown person "{key}"{hint}; accepted: a key from people')
            )
        url, network = page["url"], page["network"]
        if url is not INVALID:
            if url in urls:
                findings.append(Finding((*at, "url"), f'duplicate page "{url}"', urls[url]))
            else:
                urls[url] = (*at, "url")
            found = network_of(url)
            if network is not INVALID and found is not None and found is not network:
                findings.append(
                    Finding(
                        (*at, "network"),
                        f"the link is a {found.value} page, not {network.value}; "
                        f"accepted: network: {found.value}",
                    )
                )
        if page["vk_group_id"] not in (None, INVALID) and network not in (Network.VK, INVALID):
            findings.append(Finding((*at, "vk_group_id"), "vk_group_id is for VK pages only"))
        if page["telegram_chat_id"] not in (None, INVALID) and network not in (
            Network.TELEGRAM,
            INVALID,
        ):
            findings.append(
                Finding((*at, "telegram_chat_id"), "telegram_chat_id is for Telegram channels only")
            )
    return findings


def page_record(page: PageSpec) -> PageRecord:
    return PageRecord(
        organisation=page.organisation,
        network=page.network,
        url=page.url,
        kind=page.kind,
        responsible=page.responsible,
        authorised=tuple(page.authorised),
        vk_group_id=page.vk_group_id,
        telegram_chat_id=page.telegram_chat_id,
        title=page.title,
        state_mark=page.state_mark,
        gospubliki=page.gospubliki,
        weekly_quota=page.weekly_quota,
    )


def page_spec(record: PageRecord) -> PageSpec:
    """Built without validation, as the rest of an export."""
    return PageSpec.model_construct(
        organisation=record.organisation,
        network=record.network,
        url=record.url,
        title=record.title,
        vk_group_id=record.vk_group_id,
        telegram_chat_id=record.telegram_chat_id,
        kind=record.kind,
        responsible=record.responsible,
        authorised=list(record.authorised),
        state_mark=record.state_mark,
        gospubliki=record.gospubliki,
        weekly_quota=record.weekly_quota,
    )
