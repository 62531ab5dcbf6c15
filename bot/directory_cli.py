"""`python -m bot directory import FILE` and `python -m bot directory export [FILE]`.

Import validates the whole file before it opens the database: a file with any problem
prints every one (file:line:column: path: message) and a count, writes nothing, and exits
with code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.directory import (
    DirectoryEmpty,
    DirectoryInvalid,
    DirectorySpec,
    directory_warnings,
    export_directory,
    import_directory,
    load_directory,
)
from bot.settings import Settings
from bot.startup import open_database
from db.engine import create_session_factory

EXIT_OK = 0
EXIT_INVALID = 2


async def run_directory_command(settings: Settings, args: argparse.Namespace) -> int:
    if args.directory_command == "import":
        return await _import(settings, args.file)
    if args.directory_command == "export":
        return await _export(settings, args.file)
    print(f"unknown directory command: {args.directory_command}", file=sys.stderr)
    return EXIT_INVALID


async def import_directory_file(
    engine: AsyncEngine,
    path: Path,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Validate `path` and sync it through `engine` (already migrated); 0 when imported."""
    spec = _load(path, err or sys.stderr)
    if spec is None:
        return EXIT_INVALID
    return await _sync(engine, spec, path, out or sys.stdout, err or sys.stderr)


def _load(path: Path, err: TextIO) -> DirectorySpec | None:
    try:
        return load_directory(path)
    except DirectoryInvalid as invalid:
        for problem in invalid.problems:
            print(problem, file=err)
        count = len(invalid.problems)
        print(
            f"{count} error{'' if count == 1 else 's'} in {path}; "
            "nothing was written to the database",
            file=err,
        )
        return None


async def _sync(
    engine: AsyncEngine, spec: DirectorySpec, path: Path, out: TextIO, err: TextIO
) -> int:
    for warning in directory_warnings(spec):
        print(f"warning: {warning}", file=err)
    report = await import_directory(create_session_factory(engine), spec)
    print(f"{path}: {report.summary()}", file=out)
    for note in report.notes:
        print(f"note: {note}", file=out)
    return EXIT_OK


async def _import(settings: Settings, path: Path) -> int:
    # Validate before the database is even opened: a broken file touches nothing.
    spec = _load(path, sys.stderr)
    if spec is None:
        return EXIT_INVALID
    from db.migrate import upgrade  # here: importing alembic logs, which a bad file needn't show

    engine = await open_database(settings.database.url)
    try:
        await upgrade(engine)
        return await _sync(engine, spec, path, sys.stdout, sys.stderr)
    finally:
        await engine.dispose()


async def _export(settings: Settings, path: Path | None) -> int:
    from db.migrate import upgrade

    engine = await open_database(settings.database.url)
    try:
        await upgrade(engine)
        text = await export_directory(create_session_factory(engine))
    except DirectoryEmpty as error:
        print(f"nothing to export: {error}", file=sys.stderr)
        return EXIT_INVALID
    finally:
        await engine.dispose()
    return _write(text, path)


def _write(text: str, path: Path | None) -> int:
    if path is None:
        # Bytes, so that the YAML is UTF-8 whatever the console's encoding is.
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
        return EXIT_OK
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"{path}: cannot write the file: {error.strerror or error}", file=sys.stderr)
        return EXIT_INVALID
    print(f"directory written to {path}", file=sys.stderr)
    return EXIT_OK
