"""Read and validate a directory file, reporting every problem with its place in the file.

The file is composed into YAML nodes (not loaded straight into Python values) so that each
value keeps the line and column where it starts. Every entry is validated on its own, and
within a failed entry every field on its own; the checks that need the whole file
(duplicates, references, "is there a curator") then run on whatever validated, so that one
mistake neither hides the others nor causes a cascade of false ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.directory.checks import INVALID, Fields, Location, cross_check, format_path
from bot.directory.pages_checks import check_pages
from bot.directory.schema import SECTION_MODELS, CentreSpec, DirectorySpec, did_you_mean

MAX_FILE_BYTES = 5 * 1024 * 1024
SECTIONS = ("centre", "organisations", "people", "chats", "pages")


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
    return document.validate(document.compose(text))


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
        message = (
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x}); "
            "save it in the UTF-8 encoding (Windows-1251 is not accepted)"
        )
        raise DirectoryInvalid([Problem(source, message, line, column)]) from None


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
    _constructor: SafeConstructor = field(default_factory=SafeConstructor)

    def add(self, path: Location, message: str, *, at_key: bool = False) -> None:
        self._add_at(self.mark(path, at_key=at_key), path, message)

    def _add_at(self, mark: yaml.Mark | None, path: Location, message: str) -> None:
        self.problems.append(
            Problem(
                self.source,
                message,
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
                format_path(path) or None,
            )
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

    # --- composing ----------------------------------------------------------------------------

    def compose(self, text: str) -> Any:
        try:
            # Aliases are refused before composing: "billion laughs" files expand without end,
            # and an alias has no place of its own once composed.
            for event in yaml.parse(text, Loader=yaml.SafeLoader):
                if isinstance(event, AliasEvent):
                    self._add_at(
                        event.start_mark,
                        (),
                        "anchors and aliases (& and *) are not supported; write the value out",
                    )
            if self.problems:
                raise self.fail()
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            problem = str(error.problem or error.context or "invalid YAML")
            message = f"YAML syntax error: {problem}{_syntax_hint(problem)}"
            if error.context and error.problem:
                context_mark = error.context_mark
                where = ""
                if context_mark is not None and mark is not None and context_mark.line != mark.line:
                    where = f", which starts at line {context_mark.line + 1}"
                message += f" ({error.context}{where})"
            self._add_at(mark, (), message)
            raise self.fail() from None
        except yaml.reader.ReaderError as error:
            before = text[: error.position]
            line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
            message = f"character {error.character!r} is not allowed in a YAML file"
            self.problems.append(Problem(self.source, message, line, column))
            raise self.fail() from None
        except RecursionError:
            self.problems.append(Problem(self.source, "the file is nested too deeply"))
            raise self.fail() from None
        return None if node is None else self._value(node, ())

    def _value(self, node: Node, path: Location) -> Any:
        self.value_marks[path] = node.start_mark
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
                message = "a key must be a plain name such as full_name"
                self._add_at(key_node.start_mark, path, message)
                continue
            key_path = (*path, key)
            if key in result:
                self._add_at(key_node.start_mark, key_path, f'key "{key}" appears twice')
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
                message = f'unknown section "{name}"{hint}; accepted: {accepted}'
                self.add((name,), message, at_key=True)
        for name in ("centre", "people"):
            if name not in root:
                self.add((), f'missing section "{name}"')

        centre = self._entry(CentreSpec, root["centre"], ("centre",)) if "centre" in root else None
        sections: dict[str, list[tuple[int, Fields]]] = {}
        for name, model in SECTION_MODELS.items():
            entries = root.get(name)
            if entries is None:
                entries = []  # `chats:` with nothing under it
            if not isinstance(entries, list):
                message = f'expected a list of entries, each starting with "- "; {_found(entries)}'
                self.add((name,), message)
                entries = []
            sections[name] = []
            for index, entry in enumerate(entries):
                fields = self._entry(model, entry, (name, index))
                if fields is not None:
                    sections[name].append((index, fields))

        for finding in [
            *cross_check(centre, sections["organisations"], sections["people"], sections["chats"]),
            *check_pages(centre, sections["organisations"], sections["people"], sections["pages"]),
        ]:
            message = finding.message
            if finding.also is not None:
                message += f" (also at {self.line_of(finding.also)})"
            self.add(finding.path, message)

        if self.problems:
            raise self.fail()
        # Every entry validated whole, so this cannot fail.
        return DirectorySpec.model_validate(
            {
                "centre": centre,
                **{name: [fields for _, fields in sections[name]] for name in SECTION_MODELS},
            }
        )

    def _entry(self, model: type[BaseModel], value: Any, path: Location) -> Fields | None:
        """The entry's fields, each validated on its own; INVALID where one failed."""
        if not isinstance(value, dict):
            self.add(path, f"expected a mapping (key: value lines); {_found(value)}")
            return None
        try:
            return dict(model.model_validate(value))
        except ValidationError as error:
            failed = set()
            for detail in error.errors():
                loc = (*path, *detail["loc"])
                if detail["type"] == "extra_forbidden":
                    name = str(detail["loc"][-1])
                    fields = list(model.model_fields)
                    message = (
                        f'unknown key "{name}"{did_you_mean(name, fields)}; '
                        f"accepted: {', '.join(fields)}"
                    )
                    self.add(loc, message, at_key=True)
                    continue
                failed.add(detail["loc"][0])
                if detail["type"] == "missing":
                    self.add(loc[:-1], f'missing key "{loc[-1]}"')
                else:
                    self.add(loc, _message(detail))
        # Keep what did validate, so that the whole-file checks still see this entry.
        partial: Fields = {}
        for name, info in model.model_fields.items():
            if name in failed:
                partial[name] = INVALID
            elif name in value:
                partial[name] = _field_adapter(model, name).validate_python(value[name])
            else:
                partial[name] = info.get_default(call_default_factory=True)
        return partial


@cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    if info.metadata:
        return TypeAdapter(Annotated[(info.annotation, *info.metadata)])  # type: ignore[misc]
    return TypeAdapter(info.annotation)


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
        elif isinstance(value, int | float) or type(value).__module__ == "datetime":
            hint = " (quote it so that it is read as text)"
        return f"expected text; {_found(value)}{hint}"
    if kind in ("int_type", "int_from_float", "int_parsing"):
        digits = isinstance(value, str) and value.strip().lstrip("-").isdigit()
        return f"expected a whole number; {_found(value)}{' (remove the quotes)' if digits else ''}"
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
