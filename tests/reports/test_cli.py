"""`python -m bot report`: an XLSX or CSV of a period for the administrator."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main


@pytest.fixture
def database_kind() -> str:
    return "sqlite"


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CENTRE_TIMEZONE", "Europe/Moscow")
    return tmp_path


async def _main(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def test_report_cli_writes_xlsx_and_csv(
    cli_env: Path, november_rows: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    out = cli_env / "november.xlsx"
    assert await _main("report", "--from", "2026-11-01", "--to", "2026-11-30", "-o", str(out)) == 0
    book = load_workbook(out)
    rows = list(book["Сводка"].iter_rows(min_row=2, values_only=True))
    assert rows[-1][:3] == ("Всего по администрации", 8, 4)
    assert len(list(book["Инциденты"].iter_rows(min_row=2))) == 8
    assert "8 incidents" in capsys.readouterr().out

    code = await _main("report", "--from", "2026-11-01", "--to", "2026-11-30", "--org", "roads",
                       "--format", "csv")  # fmt: skip
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Организация;Поступило")
    assert lines[1].startswith("Управление дорожного хозяйства;3;2;")
    assert len(lines) == 2


async def test_report_cli_refuses_bad_input(
    cli_env: Path, november_rows: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("report", "--from", "2026-11-30", "--to", "2026-11-01", "-o", "x.xlsx")
    assert await _main(*args) == 2
    assert "period.reversed" in capsys.readouterr().err
    args = ("report", "--from", "2026-11-01", "--to", "2026-11-30", "--org", "nosuch", "-o", "x")
    assert await _main(*args) == 2
    assert "nosuch" in capsys.readouterr().err
    assert await _main("report", "--from", "2026-11-01", "--to", "2026-11-30") == 2
    assert "-o FILE.xlsx" in capsys.readouterr().err
    assert not (cli_env / "x.xlsx").exists()
