"""Directory files that cannot be read as a directory at all: empty, not a mapping, not UTF-8, too
large, missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory import (
    MAX_FILE_BYTES,
    DirectoryInvalid,
    load_directory,
)
from tests.directory.loader_helpers import BASE, only_problem


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n", "---\n"])
def test_an_empty_file(tmp_path: Path, content: str) -> None:
    assert only_problem(tmp_path, content).endswith(
        "directory.yaml: the file is empty; expected the sections centre, organisations, "
        "people, chats, pages"
    )


@pytest.mark.parametrize(
    ("content", "found"),
    [("- a\n- b\n", "found a list"), ("just text\n", 'found the text "just text"')],
)
def test_a_file_that_is_not_a_mapping(tmp_path: Path, content: str, found: str) -> None:
    problem = only_problem(tmp_path, content)
    assert problem.endswith(
        ":1:1: expected a mapping with the sections centre, organisations, people, chats, "
        f"pages; {found}"
    )


def test_a_file_that_is_not_utf8_points_at_the_first_bad_byte(tmp_path: Path) -> None:
    problem = only_problem(
        tmp_path, BASE.replace("ЖКХ\n    topics", "ЖКХ\n    topics").encode("cp1251")
    )
    assert problem.endswith(
        ":3:9: the file is not UTF-8 text (byte 0xcc); save it in the UTF-8 encoding "
        "(Windows-1251 is not accepted)"
    )


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    line = "# " + "x" * 1000 + "\n"
    content = BASE + line * (MAX_FILE_BYTES // len(line) + 1)
    problem = only_problem(tmp_path, content)
    assert "the file is too large" in problem and "accepted: up to 5 MB" in problem


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(DirectoryInvalid) as caught:
        load_directory(path)
    assert [str(problem) for problem in caught.value.problems] == [f"{path}: file not found"]


def test_a_directory_instead_of_a_file(tmp_path: Path) -> None:
    with pytest.raises(DirectoryInvalid, match="is a directory, not a file"):
        load_directory(tmp_path)
