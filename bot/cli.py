"""`python -m bot`: run the bot, migrate the database, import and export the directory,
check the installation (`doctor`), back the database up and restore it.

Errors an operator can fix (a wrong setting, a broken directory file, a database that does
not answer, a token Telegram refuses) print one clear message and exit with code 2, without
a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.logs import configure_logging
from bot.report_cli import add_report_parser
from bot.settings import Settings, SettingsError, load_settings

EXIT_USAGE = 2

EPILOG = """\
settings:
  Every setting is an environment variable, also read from a .env file in the current
  directory (the environment wins). Copy .env.example to .env and fill in BOT_TOKEN (from
  @BotFather); DATABASE_URL defaults to SQLite in ./data/bot.sqlite3.

exit codes:
  0  done (or stopped with Ctrl+C)
  2  something to fix: a setting, the directory file, the database not answering at
     DATABASE_URL, or a token Telegram refused (the message says which)
"""

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    commands.add_parser(
        "run",
        help="start the bot (the default): bring the database up to date, import "
        "DIRECTORY_FILE if set, wait for Telegram, then answer people and send messages",
    )
    commands.add_parser("migrate", help="bring the database schema up to date, then exit")
    directory = commands.add_parser(
        "directory",
        help="the directory of people and organisations: `directory import FILE` checks a "
        "YAML file and syncs it, `directory export [FILE]` writes it as YAML (default: "
        "standard output)",
    )
    directory_commands = directory.add_subparsers(dest="directory_command", required=True)
    do_import = directory_commands.add_parser("import", help="validate a YAML file and sync it")
    do_import.add_argument("file", type=Path)
    do_export = directory_commands.add_parser("export", help="write the directory as YAML")
    do_export.add_argument("file", type=Path, nargs="?", help="default: standard output")
    commands.add_parser("doctor", help="check the configuration, the database and the Bot API")
    do_backup = commands.add_parser("backup", help="copy the SQLite database to FILE, online")
    do_backup.add_argument("file", type=Path)
    do_restore = commands.add_parser("restore", help="replace the SQLite database with FILE")
    do_restore.add_argument("file", type=Path)
    add_report_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        if args.command == "doctor":  # the doctor reports it among its findings
            from bot.doctor import report_bad_settings

            return report_bad_settings(error)
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
        if command == "doctor":
            from bot.doctor import run_doctor

            return asyncio.run(run_doctor(settings))
        if command in ("backup", "restore"):
            return _backup_command(settings, command, args.file)
        if command == "report":
            from bot.report_cli import run_report_command

            return asyncio.run(run_report_command(settings, args))
        from bot.app import run_bot

        return asyncio.run(run_bot(settings))
    except SettingsError as error:  # bot.startup.StartupError too: one line, exit 2
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 0


def _backup_command(settings: Settings, command: str, file: Path) -> int:
    from bot.backup import BackupError, backup, restore
    from bot.i18n import Translator

    translator = Translator(default_locale=settings.general.default_locale)

    def say(key: str, **params: object) -> str:
        return translator.text(key, settings.general.default_locale, **params)

    try:
        done = (backup if command == "backup" else restore)(settings.database.url, file, say)
    except BackupError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    print(done)
    return 0


async def _migrate(settings: Settings) -> int:
    from bot.startup import open_database
    from db.migrate import upgrade

    engine = await open_database(settings.database.url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    print("database is up to date")
    return 0
