"""Read and validate a directory file, reporting every problem with its place in the file.

The file is composed into YAML nodes (not loaded straight into Python values) so that each
value keeps the line and column where it starts; every entry is validated on its own, and
the checks that need the whole file run on the entries that passed, so one bad entry does
not hide the problems of the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.directory.schema import (
    SECTION_MODELS,
    CentreSpec,
    ChatSpec,
    DirectorySpec,
    OrganisationSpec,
    PersonSpec,
    did_you_mean,
)
from workflow.roles import CURATOR_ROLES, Role

MAX_FILE_BYTES = 5 * 1024 * 1024
SECTIONS = ("centre", "organisations", "people", "chats")

M = TypeVar("M", bound=BaseModel)
PathKey = str | int
Location = tuple[PathKey, ...]


def format_path(path: Location) -> str:
    """`("people", 3, "roles", 1)` -> `people[3].roles[1]`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the file; line and column count from 1."""

    source: str
    message: str
    line: int | None = None
    column: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        place = self.source if self.line is None else f"{self.source}:{self.line}:{self.column}"
        return f"{place}: {self.path}: {self.message}" if self.path else f"{place}: {self.message}"


class DirectoryInvalid(Exception):
    """The file cannot be imported; `problems` says everything that is wrong with it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
        super().__init__("\n".join(str(problem) for problem in self.problems))


# --- reading ----------------------------------------------------------------------------------


def load_directory(path: Path) -> DirectorySpec:
    """Read and validate a directory file; raises DirectoryInvalid with every problem."""
    source = str(path)
    try:
        if path.is_dir():
            raise DirectoryInvalid([Problem(source, "is a directory, not a file")])
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DirectoryInvalid([_too_large(source, size)])
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise DirectoryInvalid([Problem(source, "file not found")]) from None
    except PermissionError:
        raise DirectoryInvalid(
            [Problem(source, "cannot read the file: permission denied")]
        ) from None
    except OSError as error:
        message = f"cannot read the file: {error.strerror or error}"
        raise DirectoryInvalid([Problem(source, message)]) from None
    return parse_directory(data, source)


def parse_directory(data: bytes | str, source: str = "<directory>") -> DirectorySpec:
    """Validate a directory given as bytes (checked to be UTF-8) or text."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise DirectoryInvalid([_too_large(source, len(data))])
        text = _decode(data, source)
    else:
        text = data
    document = _Document(source)
    root = document.compose(text)
    return document.validate(root)


def _too_large(source: str, size: int) -> Problem:
    return Problem(
        source,
        f"the file is too large ({size / 1024 / 1024:.1f} MB); "
        f"accepted: up to {MAX_FILE_BYTES // 1024 // 1024} MB",
    )


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")  # a BOM from Windows Notepad is harmless
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        raise DirectoryInvalid(
            [
                Problem(
                    source,
                    f"the file is not UTF-8 text (byte 0x{data[error.start]:02x}); "
                    "save it in the UTF-8 encoding (Windows-1251 is not accepted)",
                    line,
                    column,
                )
            ]
        ) from None


def _syntax_hint(problem: str) -> str:
    if "'@'" in problem:
        return '; a value starting with "@" must be quoted ("@name"), or leave out the "@"'
    if "'\\t'" in problem:
        return "; indent with spaces, not tabs"
    return ""


# --- the document: values with their places ---------------------------------------------------


@dataclass
class _Document:
    source: str
    problems: list[Problem] = field(default_factory=list)
    value_marks: dict[Location, yaml.Mark] = field(default_factory=dict)
    key_marks: dict[Location, yaml.Mark] = field(default_factory=dict)
    _seen: set[int] = field(default_factory=set)
    _constructor: SafeConstructor = field(default_factory=SafeConstructor)

    def add(self, path: Location, message: str, *, at_key: bool = False) -> None:
        mark = self.mark(path, at_key=at_key)
        self.problems.append(
            Problem(
                self.source,
                message,
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
                format_path(path) or None,
            )
        )

    def _at_node(self, node: Node, path: Location, message: str) -> None:
        mark = node.start_mark
        self.problems.append(
            Problem(self.source, message, mark.line + 1, mark.column + 1, format_path(path) or None)
        )

    def mark(self, path: Location, *, at_key: bool = False) -> yaml.Mark | None:
        if at_key and path in self.key_marks:
            return self.key_marks[path]
        # A missing key has no node: point at the nearest enclosing one.
        for end in range(len(path), -1, -1):
            if path[:end] in self.value_marks:
                return self.value_marks[path[:end]]
        return None

    def line_of(self, path: Location) -> str:
        mark = self.mark(path)
        return f"line {mark.line + 1}" if mark else format_path(path)

    def fail(self) -> DirectoryInvalid:
        return DirectoryInvalid(self.problems)

    def compose(self, text: str) -> Any:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            problem = str(error.problem or error.context or "invalid YAML")
            message = f"YAML syntax error: {problem}{_syntax_hint(problem)}"
            if error.context and error.problem:
                message += f" ({error.context})"
            self.problems.append(
                Problem(
                    self.source,
                    message,
                    mark.line + 1 if mark else None,
                    mark.column + 1 if mark else None,
                )
            )
            raise self.fail() from None
        except yaml.reader.ReaderError as error:
            before = text[: error.position]
            line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
            self.problems.append(
                Problem(
                    self.source,
                    f"character {error.character!r} is not allowed in a YAML file",
                    line,
                    column,
                )
            )
            raise self.fail() from None
        except RecursionError:
            self.problems.append(Problem(self.source, "the file is nested too deeply"))
            raise self.fail() from None
        if node is None:
            return None
        return self._value(node, ())

    def _value(self, node: Node, path: Location) -> Any:
        self.value_marks[path] = node.start_mark
        if id(node) in self._seen:
            # An alias: refused, because "billion laughs" files expand without end.
            self.add(path, "anchors and aliases (& and *) are not supported; write the value out")
            return None
        self._seen.add(id(node))
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self._value(item, (*path, index)) for index, item in enumerate(node.value)]
        try:
            return self._constructor.construct_object(node, deep=True)
        except ConstructorError as error:
            self.add(path, f"cannot read this value: {error.problem}")
            return None

    def _mapping(self, node: MappingNode, path: Location) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = (
                self._constructor.construct_object(key_node)
                if isinstance(key_node, ScalarNode) and key_node.tag.endswith(":str")
                else None
            )
            if not isinstance(key, str):
                self._at_node(key_node, path, "a key must be a plain name such as full_name")
                continue
            key_path = (*path, key)
            if key in result:
                self._at_node(key_node, key_path, f'key "{key}" appears twice')
                continue
            self.key_marks[key_path] = key_node.start_mark
            result[key] = self._value(value_node, key_path)
        return result

    # --- validation ---------------------------------------------------------------------------

    def validate(self, root: Any) -> DirectorySpec:
        accepted = ", ".join(SECTIONS)
        if root is None:
            self.problems.append(
                Problem(self.source, f"the file is empty; expected the sections {accepted}")
            )
            raise self.fail()
        if not isinstance(root, dict):
            self.add((), f"expected a mapping with the sections {accepted}; {_found(root)}")
            raise self.fail()
        for name in root:
            if name not in SECTIONS:
                hint = did_you_mean(name, SECTIONS)
                self.add(
                    (name,), f'unknown section "{name}"{hint}; accepted: {accepted}', at_key=True
                )
        for name in ("centre", "people"):
            if name not in root:
                self.add((), f'missing section "{name}"')

        centre = self._entry(CentreSpec, root["centre"], ("centre",)) if "centre" in root else None
        raw: dict[str, list[tuple[int, Any]]] = {}
        valid: dict[str, list[tuple[int, Any]]] = {}
        for name, model in SECTION_MODELS.items():
            entries = root.get(name)
            if entries is None:
                entries = []
            if not isinstance(entries, list):
                self.add(
                    (name,),
                    f'expected a list of entries, each starting with "- "; {_found(entries)}',
                )
                entries = []
            raw[name] = list(enumerate(entries))
            valid[name] = []
            for index, entry in raw[name]:
                spec = self._entry(model, entry, (name, index))
                if spec is not None:
                    valid[name].append((index, spec))

        # Names of entries that failed on their own still count as known, so that one typo
        # does not also turn every reference to that entry into an error.
        failed_codes = {
            entry.get("code")
            for index, entry in raw["organisations"]
            if isinstance(entry, dict) and index not in dict(valid["organisations"])
        }
        if centre is None and isinstance(root.get("centre"), dict):
            failed_codes.add(root["centre"].get("code"))
        failed_people = [
            entry
            for index, entry in raw["people"]
            if isinstance(entry, dict) and index not in dict(valid["people"])
        ]
        for finding in cross_check(
            centre,
            valid["organisations"],
            valid["people"],
            valid["chats"],
            known_codes={code for code in failed_codes if isinstance(code, str)},
            known_keys={e.get("key") for e in failed_people if isinstance(e.get("key"), str)},
            curator_elsewhere=any(_names_curator(entry) for entry in failed_people),
        ):
            message = finding.message
            if finding.also is not None:
                message += f" (also at {self.line_of(finding.also)})"
            self.add(finding.path, message)

        if self.problems:
            raise self.fail()
        assert centre is not None  # a missing centre is a problem above
        return DirectorySpec(
            centre=centre,
            organisations=[spec for _, spec in valid["organisations"]],
            people=[spec for _, spec in valid["people"]],
            chats=[spec for _, spec in valid["chats"]],
        )

    def _entry(self, model: type[M], value: Any, path: Location) -> M | None:
        if not isinstance(value, dict):
            self.add(path, f"expected a mapping (key: value lines); {_found(value)}")
            return None
        try:
            return model.model_validate(value)
        except ValidationError as error:
            for detail in error.errors():
                loc = (*path, *detail["loc"])
                if detail["type"] == "extra_forbidden":
                    name = str(detail["loc"][-1])
                    fields = list(model.model_fields)
                    self.add(
                        loc,
                        f'unknown key "{name}"{did_you_mean(name, fields)}; '
                        f"accepted: {', '.join(fields)}",
                        at_key=True,
                    )
                elif detail["type"] == "missing":
                    self.add(loc[:-1], f'missing key "{loc[-1]}"')
                else:
                    self.add(loc, _message(detail))
            return None


def _names_curator(entry: dict[str, Any]) -> bool:
    roles = entry.get("roles")
    return (
        isinstance(roles, list)
        and any(isinstance(role, str) and role.strip().lower() == Role.CURATOR for role in roles)
        and entry.get("active", True) is not False
    )


def _found(value: Any) -> str:
    if value is None:
        return "found nothing"
    if isinstance(value, bool):
        return f"found {str(value).lower()}"
    if isinstance(value, dict):
        return "found a mapping"
    if isinstance(value, list):
        return "found a list"
    if isinstance(value, int | float):
        return f"found the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'found the text "{shown}"'
    return f"found a {type(value).__name__}"


def _message(detail: Any) -> str:
    """pydantic's error, said in terms of the file."""
    kind: str = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", detail["msg"]))
    if kind == "string_type":
        hint = ""
        if isinstance(value, bool):
            hint = " (yes, no, on, off, true and false mean true or false in YAML: quote it)"
        elif isinstance(value, int | float) or value.__class__.__module__ == "datetime":
            hint = " (quote it so that it is read as text)"
        return f"expected text; {_found(value)}{hint}"
    if kind in ("int_type", "int_from_float", "int_parsing"):
        hint = (
            " (remove the quotes)" if isinstance(value, str) and value.strip("-").isdigit() else ""
        )
        return f"expected a whole number; {_found(value)}{hint}"
    if kind == "bool_type":
        return f"expected true or false; {_found(value)}"
    if kind == "list_type":
        return f'expected a list (lines starting with "- ", or [a, b]); {_found(value)}'
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping (key: value lines); {_found(value)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"too long ({len(value)} characters); accepted: up to {ctx.get('max_length')}"
    return str(detail["msg"])


# --- the checks that need the whole file -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    path: Location
    message: str
    also: Location | None = None  # the other place, for duplicates


def cross_check(
    centre: CentreSpec | None,
    organisations: Sequence[tuple[int, OrganisationSpec]],
    people: Sequence[tuple[int, PersonSpec]],
    chats: Sequence[tuple[int, ChatSpec]],
    *,
    known_codes: Iterable[str] = (),
    known_keys: Iterable[str] = (),
    curator_elsewhere: bool = False,
) -> list[Finding]:
    """Duplicates, references and roles across entries, given with their indices.

    `known_codes` / `known_keys` are names of entries that failed validation by themselves:
    references to them are not reported again. `curator_elsewhere`: such an entry names a
    curator.
    """
    findings: list[Finding] = []

    def unique(first_seen: dict[Any, Location], value: Any, path: Location, what: str) -> None:
        if value is None:
            return
        if value in first_seen:
            findings.append(Finding(path, f"duplicate {what} {_show(value)}", first_seen[value]))
        else:
            first_seen[value] = path

    codes: dict[Any, Location] = {}
    if centre is not None:
        codes[centre.code] = ("centre", "code")
    for index, org in organisations:
        unique(codes, org.code, ("organisations", index, "code"), "organisation code")
        topics: dict[Any, Location] = {}
        for position, topic in enumerate(org.topics):
            path = ("organisations", index, "topics", position)
            unique(topics, topic.casefold(), path, "topic")
    centre_code = centre.code if centre else None
    all_codes = set(codes) | set(known_codes)
    accepted_codes = ", ".join(sorted(codes))

    def organisation_exists(code: str, path: Location) -> bool:
        if code in all_codes:
            return True
        hint = did_you_mean(code, sorted(codes))
        findings.append(
            Finding(
                path,
                f'unknown organisation "{code}"{hint}; accepted: the code of the centre '
                f"or of an organisation: {accepted_codes}",
            )
        )
        return False

    keys: dict[Any, Location] = {}
    telegram_ids: dict[Any, Location] = {}
    usernames: dict[Any, Location] = {}
    for index, person in people:
        unique(keys, person.key, ("people", index, "key"), "person key")
        unique(telegram_ids, person.telegram_id, ("people", index, "telegram_id"), "telegram_id")
        unique(usernames, person.username, ("people", index, "username"), "username")
    by_key = {person.key: person for _, person in people}
    all_keys = set(by_key) | set(known_keys)

    has_curator = curator_elsewhere
    for index, person in people:
        at = ("people", index)
        if person.telegram_id is None and person.username is None:
            findings.append(
                Finding(at, "needs telegram_id or username (or both) so the bot can know them")
            )
        if person.organisation is not None:
            organisation_exists(person.organisation, (*at, "organisation"))
        roles: dict[Any, Location] = {}
        for position, role in enumerate(person.roles):
            path = (*at, "roles", position)
            unique(roles, role.value, path, "role")
            if role in (Role.EXECUTOR, Role.RESPONSIBLE) and person.organisation is None:
                findings.append(
                    Finding(path, f'{role.value} needs an organisation: add "organisation: CODE"')
                )
        curator_role = next((role for role in person.roles if role in CURATOR_ROLES), None)
        if (
            curator_role is not None
            and person.organisation is not None
            and person.organisation != centre_code
            and person.organisation in codes
        ):
            findings.append(
                Finding(
                    (*at, "organisation"),
                    f"a {curator_role.value} works for the centre; accepted: "
                    f'"{centre_code}" or no organisation',
                )
            )
        if person.active and Role.CURATOR in person.roles:
            has_curator = True
        seen_stand_ins: dict[Any, Location] = {}
        for position, key in enumerate(person.stand_ins):
            path = (*at, "stand_ins", position)
            if key == person.key:
                findings.append(Finding(path, "a person cannot stand in for themselves"))
            elif key in seen_stand_ins:
                findings.append(Finding(path, f'duplicate stand-in "{key}"', seen_stand_ins[key]))
            elif key not in all_keys:
                hint = did_you_mean(key, sorted(by_key))
                findings.append(
                    Finding(path, f'unknown person "{key}"{hint}; accepted: a key from people')
                )
            elif person.active and key in by_key and not by_key[key].active:
                findings.append(
                    Finding(path, f'"{key}" cannot stand in: they are marked "active: false"')
                )
            seen_stand_ins.setdefault(key, path)

    chat_ids: dict[Any, Location] = {}
    for index, chat in chats:
        unique(chat_ids, chat.chat_id, ("chats", index, "chat_id"), "chat_id")
        organisation_exists(chat.organisation, ("chats", index, "organisation"))

    if not has_curator:
        findings.append(
            Finding(("people",), "no curator: at least one active person needs the role curator")
        )
    return findings


def _show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def check_directory(spec: DirectorySpec) -> list[str]:
    """The whole-file checks for a spec built in code, as `path: message` lines."""
    findings = cross_check(
        spec.centre,
        list(enumerate(spec.organisations)),
        list(enumerate(spec.people)),
        list(enumerate(spec.chats)),
    )
    return [
        f"{format_path(f.path)}: {f.message}"
        + (f" (also at {format_path(f.also)})" if f.also else "")
        for f in findings
    ]


def directory_warnings(spec: DirectorySpec) -> list[str]:
    """Things that import fine but will likely surprise: an organisation nobody works for."""
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
