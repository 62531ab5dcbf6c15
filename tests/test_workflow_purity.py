"""workflow/ stays pure: no Telegram, no SQL, no scheduler, no wall clock (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WORKFLOW = Path(__file__).resolve().parent.parent / "workflow"
FORBIDDEN_PACKAGES = {
    "aiogram",
    "sqlalchemy",
    "apscheduler",
    "aiohttp",
    "asyncpg",
    "aiosqlite",
    "alembic",
    "db",
    "bot",
    "handlers",
    "requests",
    "socket",
    "holidays",
}
WALL_CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic"}
WALL_CLOCK_OWNERS = {"datetime", "date", "time"}


def _modules() -> list[Path]:
    return sorted(WORKFLOW.rglob("*.py"))


def _imported_packages(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _wall_clock_calls(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WALL_CLOCK_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in WALL_CLOCK_OWNERS
        ):
            found.append(f"{node.func.value.id}.{node.func.attr}() at line {node.lineno}")
    return found


def test_workflow_has_modules_to_check() -> None:
    assert len(_modules()) >= 4


@pytest.mark.parametrize("module", _modules(), ids=lambda path: path.name)
def test_workflow_module_imports_nothing_impure(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    assert _imported_packages(tree) & FORBIDDEN_PACKAGES == set()


@pytest.mark.parametrize("module", _modules(), ids=lambda path: path.name)
def test_workflow_module_never_reads_the_wall_clock(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    assert _wall_clock_calls(tree) == []


def test_purity_check_catches_a_forbidden_import() -> None:
    tree = ast.parse("import sqlalchemy\nfrom aiogram import Bot\nx = datetime.now()")
    assert _imported_packages(tree) >= {"sqlalchemy", "aiogram"}
    assert _wall_clock_calls(tree) == ["datetime.now() at line 3"]
