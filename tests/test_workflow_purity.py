"""workflow/ stays pure: no Telegram, no SQL, no scheduler, no wall clock (ARCHITECTURE.md).

The same rules run in `make test` as import-linter contracts (pyproject.toml); the wall
clock one is our own contract type (tests/support/purity_contract.py), proven here on
modules written for the purpose.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.purity_contract import wall_clock_uses

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "workflow"
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


def test_workflow_has_modules_to_check() -> None:
    assert len(_modules()) >= 4


@pytest.mark.parametrize("module", _modules(), ids=lambda path: path.name)
def test_workflow_module_imports_nothing_impure(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    assert _imported_packages(tree) & FORBIDDEN_PACKAGES == set()


@pytest.mark.parametrize("module", _modules(), ids=lambda path: path.name)
def test_workflow_module_never_reads_the_wall_clock(module: Path) -> None:
    assert wall_clock_uses(module.read_text(encoding="utf-8"), module.name) == []


def test_purity_check_catches_a_forbidden_import() -> None:
    source = "import sqlalchemy\nfrom aiogram import Bot\nx = datetime.now()"
    assert _imported_packages(ast.parse(source)) >= {"sqlalchemy", "aiogram"}
    assert [(use.line, use.name) for use in wall_clock_uses(source)] == [
        (3, "datetime.datetime.now")
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import datetime as dt\nx = dt.datetime.now()", [(2, "datetime.datetime.now")]),
        ("import datetime\nx = datetime.date.today()", [(2, "datetime.date.today")]),
        ("from datetime import datetime as D\nx = D.utcnow()", [(2, "datetime.datetime.utcnow")]),
        ("from time import monotonic\n", [(1, "time.monotonic")]),
        (
            "from time import monotonic as tick\nx = tick()",
            [(1, "time.monotonic"), (2, "time.monotonic")],
        ),
        ("import time as t\nclock = t.perf_counter", [(2, "time.perf_counter")]),
    ],
)
def test_wall_clock_check_sees_through_aliases(source: str, expected: list) -> None:
    assert [(use.line, use.name) for use in wall_clock_uses(source)] == expected


def test_wall_clock_check_leaves_clock_free_names_alone() -> None:
    source = (
        "from datetime import datetime, time, timedelta\n"
        "opening = time(9, 0)\n"
        "def later(now: datetime) -> datetime:\n"
        "    return now + timedelta(hours=1)\n"
    )
    assert wall_clock_uses(source) == []


def test_wall_clock_contract_breaks_on_modules_that_read_the_clock(tmp_path: Path) -> None:
    """The contract as `lint-imports` runs it, on a package written for the purpose."""
    package = tmp_path / "clocky"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "aliased.py").write_text(
        "import datetime as dt\n\n\ndef stamp():\n    return dt.datetime.now()\n"
    )
    (package / "ticking.py").write_text("from time import monotonic\n")
    (package / "innocent.py").write_text("from datetime import timedelta\nDAY = timedelta(1)\n")
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\n"
        "root_packages =\n    clocky\n"
        "contract_types =\n"
        "    wall_clock: tests.support.purity_contract.WallClockContract\n\n"
        "[importlinter:contract:clock]\n"
        "name = clocky never reads the wall clock\n"
        "type = wall_clock\n"
        "modules =\n    clocky\n"
    )
    lint_imports = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "clocky never reads the wall clock BROKEN" in result.stdout
    assert "clocky.aliased:5 uses datetime.datetime.now" in result.stdout
    assert "clocky.ticking:1 uses time.monotonic" in result.stdout
    assert "innocent" not in result.stdout
