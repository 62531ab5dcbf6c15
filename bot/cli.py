"""`python -m bot`: run the bot, migrate the database, import and export the directory.

Errors an operator can fix (a wrong setting, a broken directory file) print one clear
message and exit with code 2, without a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings

EXIT_USAGE = 2

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="start the bot (the default)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    directory = commands.add_parser("directory", help="the directory of people and organisations")
    directory_commands = directory.add_subparsers(dest="directory_command", required=True)
    do_import = directory_commands.add_parser("import", help="validate a YAML file and sync it")
    do_import.add_argument("file", type=Path)
    do_export = directory_commands.add_parser("export", help="write the directory as YAML")
    do_export.add_argument("file", type=Path, nargs="?", help="default: standard output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.general.log_level, settings.server.log_format)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # keep operator output readable
    command = args.command or "run"
    try:
        if command == "migrate":
            return asyncio.run(_migrate(settings))
        if command == "directory":
            from bot.directory_cli import run_directory_command

            return asyncio.run(run_directory_command(settings, args))
        from bot.app import run_bot

        return asyncio.run(run_bot(settings))
    except SettingsError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 0


async def _migrate(settings: Settings) -> int:
    from db.engine import create_engine
    from db.migrate import upgrade

    engine = create_engine(settings.database.url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print("database is up to date")
    return 0
