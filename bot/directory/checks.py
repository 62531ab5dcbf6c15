"""The checks that need the whole directory file: duplicates, references, a curator.

They run on whatever validated entry by entry (bot/directory/loader.py), with INVALID where
a field failed, so that one mistake neither hides the others nor causes false ones; and on a
spec built in code (`check_directory`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.directory.schema import DirectorySpec, did_you_mean
from workflow.roles import CURATOR_ROLES, Role

PathKey = str | int
Location = tuple[PathKey, ...]
Fields = dict[str, Any]  # an entry's field values by name


def format_path(path: Location) -> str:
    """`("people", 3, "roles", 1)` -> `people[3].roles[1]`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class _Invalid:
    """A field that failed validation (already reported): the whole-file checks skip it."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


@dataclass(frozen=True, slots=True)
class Finding:
    path: Location
    message: str
    also: Location | None = None  # the other place, for duplicates


def cross_check(
    centre: Fields | None,
    organisations: Sequence[tuple[int, Fields]],
    people: Sequence[tuple[int, Fields]],
    chats: Sequence[tuple[int, Fields]],
) -> list[Finding]:
    """Duplicates, references and roles across entries, given with their indices.

    Each entry maps its field names to values; a field that failed validation by itself is
    INVALID and is left out (its problem is already reported), and while some organisation
    code or person key is INVALID, references that match nothing are not reported either:
    they may well name that entry.
    """
    findings: list[Finding] = []

    def unique(first_seen: dict[Any, Location], value: Any, path: Location, what: str) -> None:
        if value is None or value is INVALID:
            return
        if value in first_seen:
            findings.append(Finding(path, f"duplicate {what} {_show(value)}", first_seen[value]))
        else:
            first_seen[value] = path

    codes: dict[Any, Location] = {}
    centre_code = centre["code"] if centre is not None else None
    unique(codes, centre_code, ("centre", "code"), "organisation code")
    codes_unsure = centre is None or centre_code is INVALID
    for index, org in organisations:
        unique(codes, org["code"], ("organisations", index, "code"), "organisation code")
        codes_unsure |= org["code"] is INVALID
        if org["topics"] is not INVALID:
            topics: dict[Any, Location] = {}
            for position, topic in enumerate(org["topics"]):
                path = ("organisations", index, "topics", position)
                unique(topics, topic.casefold(), path, "topic")
    accepted_codes = ", ".join(sorted(codes))

    def check_organisation(code: Any, path: Location) -> None:
        if code is None or code is INVALID or code in codes or codes_unsure:
            return
        findings.append(
            Finding(
                path,
                f'unknown organisation "{code}"{did_you_mean(code, sorted(codes))}; '
                f"accepted: the code of the centre or of an organisation: {accepted_codes}",
            )
        )

    keys: dict[Any, Location] = {}
    telegram_ids: dict[Any, Location] = {}
    usernames: dict[Any, Location] = {}
    vk_ids: dict[Any, Location] = {}
    for index, person in people:
        at = ("people", index)
        unique(vk_ids, person.get("vk_id"), (*at, "vk_id"), "vk_id")
        unique(keys, person["key"], (*at, "key"), "person key")
        unique(telegram_ids, person["telegram_id"], (*at, "telegram_id"), "telegram_id")
        unique(usernames, person["username"], (*at, "username"), "username")
    by_key = {person["key"]: person for _, person in people if person["key"] is not INVALID}
    keys_unsure = any(person["key"] is INVALID for _, person in people)

    for index, person in people:
        at = ("people", index)
        if person["telegram_id"] is None and person["username"] is None:
            findings.append(
                Finding(at, "needs telegram_id or username (or both) so the bot can know them")
            )
        organisation = person["organisation"]
        check_organisation(organisation, (*at, "organisation"))
        roles: list[Role] = [] if person["roles"] is INVALID else person["roles"]
        seen_roles: dict[Any, Location] = {}
        for position, role in enumerate(roles):
            path = (*at, "roles", position)
            unique(seen_roles, role.value, path, "role")
            if role in (Role.EXECUTOR, Role.RESPONSIBLE) and organisation is None:
                message = f'{role.value} needs an organisation: add "organisation: CODE"'
                findings.append(Finding(path, message))
        curator_role = next((role for role in roles if role in CURATOR_ROLES), None)
        if (
            curator_role is not None
            and organisation in codes
            and centre_code is not INVALID
            and organisation != centre_code
        ):
            message = (
                f'a {curator_role.value} works for the centre; accepted: "{centre_code}" '
                "or no organisation"
            )
            findings.append(Finding((*at, "organisation"), message))
        stand_ins: list[str] = [] if person["stand_ins"] is INVALID else person["stand_ins"]
        seen_stand_ins: dict[str, Location] = {}
        for position, key in enumerate(stand_ins):
            path = (*at, "stand_ins", position)
            if key == person["key"]:
                findings.append(Finding(path, "a person cannot stand in for themselves"))
            elif key in seen_stand_ins:
                findings.append(Finding(path, f'duplicate stand-in "{key}"', seen_stand_ins[key]))
            elif key not in by_key:
                if not keys_unsure:
                    message = (
                        f'unknown person "{key}"{did_you_mean(key, sorted(by_key))}; '
                        "accepted: a key from people"
                    )
                    findings.append(Finding(path, message))
            elif person["active"] is True and by_key[key]["active"] is False:
                message = f'"{key}" cannot stand in: they are marked "active: false"'
                findings.append(Finding(path, message))
            seen_stand_ins.setdefault(key, path)

    chat_ids: dict[Any, Location] = {}
    for index, chat in chats:
        unique(chat_ids, chat["chat_id"], ("chats", index, "chat_id"), "chat_id")
        check_organisation(chat["organisation"], ("chats", index, "organisation"))

    # A person whose roles or active flag failed may be the curator: do not claim there is none.
    has_curator = any(
        person["roles"] is INVALID
        or person["active"] is INVALID
        or (person["active"] and Role.CURATOR in person["roles"])
        for _, person in people
    )
    if not has_curator:
        message = "no curator: at least one active person needs the role curator"
        findings.append(Finding(("people",), message))
    return findings


def _show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def check_directory(spec: DirectorySpec) -> list[str]:
    """The whole-file checks for a spec built in code, as `path: message` lines."""
    findings = cross_check(
        dict(spec.centre),
        [(index, dict(org)) for index, org in enumerate(spec.organisations)],
        [(index, dict(person)) for index, person in enumerate(spec.people)],
        [(index, dict(chat)) for index, chat in enumerate(spec.chats)],
    )
    return [
        f"{format_path(f.path)}: {f.message}"
        + (f" (also at {format_path(f.also)})" if f.also else "")
        for f in findings
    ]


def directory_warnings(spec: DirectorySpec) -> list[str]:
    """What imports fine but will likely surprise: an organisation nobody answers for."""
    warnings = []
    for org in spec.organisations:
        staff = [p for p in spec.people if p.active and p.organisation == org.code]
        if not any(Role.EXECUTOR in p.roles for p in staff):
            warnings.append(
                f'organisation "{org.code}" has no active executor: '
                "incidents routed there will have nobody to take them"
            )
        if not any(Role.RESPONSIBLE in p.roles for p in staff):
            warnings.append(
                f'organisation "{org.code}" has no active responsible official: '
                "its overdue alerts will reach nobody there"
            )
    return warnings
