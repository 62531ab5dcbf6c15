"""An import-linter contract type: the pure core never reads the wall clock.

Imports alone cannot show it — `datetime` is a fine import, `datetime.now()` is not — so
this contract reads each module's syntax tree and resolves names through the module's own
imports: `import datetime as dt; dt.datetime.now()` and `from time import monotonic` are
both found, and so is a bare `datetime.now()` whose name was never imported.
Registered in pyproject.toml (`contract_types`) and run by `lint-imports`.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck

# Everything that reads the clock on the wall (or a clock that moves by itself).
WALL_CLOCK = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "time.monotonic_ns",
        "time.perf_counter",
        "time.perf_counter_ns",
        "time.process_time",
        "time.localtime",
        "time.ctime",
        "time.asctime",
    }
)
# What a name means when the module never imported it (e.g. in a snippet under test).
_UNIMPORTED = {"datetime": "datetime.datetime", "date": "datetime.date", "time": "time"}


@dataclass(frozen=True, slots=True)
class WallClockUse:
    module: str
    line: int
    name: str  # the resolved name, e.g. "datetime.datetime.now"

    def __str__(self) -> str:
        return f"{self.module}:{self.line} uses {self.name}"


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> what it refers to, from the module's absolute imports."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    names[head] = head
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _resolve(node: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id) or _UNIMPORTED.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    return None


def wall_clock_uses(source: str, module: str = "<string>") -> list[WallClockUse]:
    """Every import of, reference to or call of a wall-clock function in the source."""
    tree = ast.parse(source)
    aliases = _aliases(tree)
    found: list[WallClockUse] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                if name in WALL_CLOCK:
                    found.append(WallClockUse(module, node.lineno, name))
        elif isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
            name = _resolve(node, aliases)
            if name in WALL_CLOCK:
                found.append(WallClockUse(module, node.lineno, name))
    return sorted(set(found), key=lambda use: (use.module, use.line, use.name))


def module_path(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


class WallClockContract(Contract):
    """`modules` (and everything below them) never read the wall clock."""

    type_name = "wall_clock"

    modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        names: set[str] = set()
        for package in self.modules:  # type: ignore[attr-defined]
            names.add(package)
            names.update(graph.find_descendants(package))
        uses: list[WallClockUse] = []
        for name in sorted(names):
            path = module_path(name)
            if path is not None:
                uses += wall_clock_uses(path.read_text(encoding="utf-8"), name)
        return ContractCheck(kept=not uses, metadata={"uses": [str(use) for use in uses]})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for use in check.metadata["uses"]:
            output.print_error(use, bold=False)
            output.new_line()
