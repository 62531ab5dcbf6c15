"""Directory files for the loader tests: the example, a minimal and a base file, and ways to read
their problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory import (
    DirectoryInvalid,
    load_directory,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "directory.example.yaml"

MINIMAL = """\
centre:
  code: mcu
  name: МЦУ
people:
  - key: curator
    full_name: Куратор
    telegram_id: 100
    roles: [curator]
"""

# A small valid file: the tests below break one thing at a time (line numbers matter).
BASE = """\
centre:
  code: mcu
  name: МЦУ
  timezone: Europe/Moscow
organisations:
  - code: zhkh
    name: ЖКХ
    topics: [Отопление, Вода]
people:
  - key: petrova
    full_name: Петрова А. Н.
    telegram_id: 100
    roles: [curator]
    stand_ins: [sidorov]
  - key: sidorov
    full_name: Сидоров В. К.
    username: sidorov_vk
    roles: [deputy_curator]
  - key: ivanov
    full_name: Иванов П. П.
    telegram_id: 300
    roles: [executor]
    organisation: zhkh
chats:
  - chat_id: -1001
    title: ЖКХ
    organisation: zhkh
"""


def write(tmp_path: Path, content: str | bytes, name: str = "directory.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def problems(tmp_path: Path, content: str | bytes) -> list[str]:
    path = write(tmp_path, content)
    with pytest.raises(DirectoryInvalid) as caught:
        load_directory(path)
    return [str(problem) for problem in caught.value.problems]


def only_problem(tmp_path: Path, content: str | bytes) -> str:
    found = problems(tmp_path, content)
    assert len(found) == 1, found
    return found[0]


def replace(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)
