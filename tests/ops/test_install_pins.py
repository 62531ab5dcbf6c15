"""Reproducible installs: every dependency, dev tools included, is pinned in constraints.txt,
which `make install` uses; the licence is an SPDX string with its file beside it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep and version, f"constraints.txt: {line!r} is not pinned with =="
        pins[canonicalize_name(name)] = version
    return pins


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_dependency_dev_tool_and_the_build_backend_is_pinned_within_its_bounds():
    project = _project()
    pins = _pins()
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    wanted = [
        *project["dependencies"],
        *project["optional-dependencies"]["dev"],
        *build["requires"],
        "pip",
    ]
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in constraints.txt: run `make constraints`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]} outside {requirement.specifier}:"
            " run `make constraints`"
        )


def test_make_install_and_ci_install_from_the_constraints():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("$(BIN)/.installed:", 1)[1].split("\n\n", 1)[0]
    pip_lines = [line.strip() for line in recipe.splitlines() if "pip install" in line]
    assert len(pip_lines) == 2 and all("-c $(CONSTRAINTS)" in line for line in pip_lines)
    assert "--no-build-isolation -e '.[dev]'" in pip_lines[1]  # the pinned setuptools builds
    assert re.search(r"^CONSTRAINTS := constraints\.txt$", makefile, re.M)
    assert re.search(r"^\$\(BIN\)/\.installed: .*\$\(CONSTRAINTS\)", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_licence_is_an_spdx_string_with_its_file():
    assert _project()["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
