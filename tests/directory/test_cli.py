"""`python -m bot directory import|export`, end to end in a subprocess."""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from bot.directory import load_directory, parse_directory
from bot.directory_cli import import_directory_file, run_directory_command
from bot.settings import Settings
from db.engine import create_engine
from db.migrate import upgrade
from db.models import Base

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "directory.example.yaml"
DIRECTORY_TABLES = ("organisations", "people", "person_roles", "group_chats", "stand_ins")
BROKEN = """\
centre:
  code: mcu
  name: МЦУ
people:
  - key: petrova
    full_name: Петрова А. Н.
    telegram_id: 100
    roles: [kurator]
  - key: ivanov
    full_name: Иванов П. П.
    roles: [executor]
    organisation: zhkh
"""


# Log records (alembic's, at LOG_LEVEL=INFO) share stderr with the errors; they are not ours.
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    # Only what the command needs: no .env is relied upon, and DATABASE_URL wins over one.
    env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "directory", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    stderr = "".join(
        line for line in result.stderr.splitlines(keepends=True) if not LOG_RECORD.match(line)
    )
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout, stderr)


async def arun_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(run_cli, database_url, *args)


async def directory_rows(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            total = 0
            for name in DIRECTORY_TABLES:
                table = Base.metadata.tables[name]
                total += await connection.scalar(select(func.count()).select_from(table))
            return total
    finally:
        await engine.dispose()


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"


def test_importing_a_good_file_then_the_same_file_again(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)

    first = run_cli(url, "import", str(EXAMPLE))

    assert first.returncode == 0, first.stderr
    assert first.stdout == (
        f"{EXAMPLE}: organisations: 4 created; people: 11 created; chats: 4 created\n"
    )
    assert first.stderr == ""  # the example has nothing to warn about

    second = run_cli(url, "import", str(EXAMPLE))
    assert second.returncode == 0, second.stderr
    assert second.stdout == f"{EXAMPLE}: no changes\n"


async def test_import_export_and_reimport_on_each_database(
    database_url: str, tmp_path: Path
) -> None:
    imported = await arun_cli(database_url, "import", str(EXAMPLE))
    assert imported.returncode == 0, imported.stderr

    exported = await arun_cli(database_url, "export")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith("# The directory of the incident bot")
    spec = parse_directory(exported.stdout)
    assert {p.key for p in spec.people} == {p.key for p in load_directory(EXAMPLE).people}

    exported_file = tmp_path / "exported.yaml"
    to_file = await arun_cli(database_url, "export", str(exported_file))
    assert to_file.returncode == 0, to_file.stderr
    assert to_file.stdout == ""
    assert exported_file.read_text(encoding="utf-8") == exported.stdout

    again = await arun_cli(database_url, "import", str(exported_file))
    assert again.returncode == 0, again.stderr
    assert again.stdout == f"{exported_file}: no changes\n"


async def test_a_broken_file_reports_every_error_and_writes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "directory.yaml"
    path.write_text(BROKEN, encoding="utf-8")

    result = await arun_cli(database_url, "import", str(path))

    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [
        f'{path}:8:13: people[0].roles[0]: unknown role "kurator" (did you mean "curator"?); '
        "accepted: curator, deputy_curator, executor, responsible, manager, admin",
        f"{path}:9:5: people[1]: needs telegram_id or username (or both) so the bot can know them",
        f'{path}:12:19: people[1].organisation: unknown organisation "zhkh"; accepted: the '
        "code of the centre or of an organisation: mcu",
        f"3 errors in {path}; nothing was written to the database",
    ]
    assert "Traceback" not in result.stderr
    assert await directory_rows(database_url) == 0


def test_a_missing_file_is_one_clear_message(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    path = tmp_path / "nowhere.yaml"

    result = run_cli(url, "import", str(path))

    assert result.returncode == 2
    assert result.stderr == (
        f"{path}: file not found\n1 error in {path}; nothing was written to the database\n"
    )
    # Validation comes first: the database was not even opened.
    assert not (tmp_path / "cli.sqlite3").exists()


def test_a_file_that_is_not_yaml_text(tmp_path: Path) -> None:
    path = tmp_path / "directory.yaml"
    path.write_bytes(BROKEN.encode("cp1251"))

    result = run_cli(sqlite_url(tmp_path), "import", str(path))

    assert result.returncode == 2
    assert re.match(rf"{re.escape(str(path))}:3:9: the file is not UTF-8 text", result.stderr)
    assert "Traceback" not in result.stderr


def test_exporting_an_empty_database(tmp_path: Path) -> None:
    result = run_cli(sqlite_url(tmp_path), "export")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("nothing to export: the database holds no directory yet")


# --- in process -------------------------------------------------------------------------------


async def test_import_directory_file_for_the_bot_start(database_url: str, tmp_path: Path) -> None:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        out, err = io.StringIO(), io.StringIO()
        broken = tmp_path / "broken.yaml"
        broken.write_text(BROKEN, encoding="utf-8")

        assert await import_directory_file(engine, broken, out=out, err=err) == 2
        assert "3 errors in" in err.getvalue() and out.getvalue() == ""
        assert await import_directory_file(engine, EXAMPLE, out=out, err=err) == 0
        assert "people: 11 created" in out.getvalue()
    finally:
        await engine.dispose()


async def test_export_to_a_place_that_cannot_be_written(
    database_url: str, tmp_path: Path, capsys
) -> None:
    settings = Settings(database_url=database_url, _env_file=None)
    imported = argparse.Namespace(directory_command="import", file=EXAMPLE)
    assert await run_directory_command(settings, imported) == 0

    target = tmp_path / "no" / "such" / "dir.yaml"
    exported = argparse.Namespace(directory_command="export", file=target)
    assert await run_directory_command(settings, exported) == 2
    assert f"{target}: cannot write the file" in capsys.readouterr().err
