"""`python -m bot report --from 2026-11-01 --to 2026-11-30 [--org CODE] -o FILE.xlsx`
(or `--format csv`, to a file or standard output): a period report for the administrator.

The database must be migrated (`python -m bot migrate`); the texts are in DEFAULT_LOCALE.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.settings import Settings
from workflow.report_periods import Period, PeriodError

EXIT_OK = 0
EXIT_INVALID = 2


def add_report_parser(commands: Any) -> None:
    report = commands.add_parser("report", help="a period report as XLSX or CSV")
    report.add_argument("--from", dest="first", type=date.fromisoformat, required=True,
                        help="first day, YYYY-MM-DD")  # fmt: skip
    report.add_argument("--to", dest="last", type=date.fromisoformat, required=True,
                        help="last day (included), YYYY-MM-DD")  # fmt: skip
    report.add_argument("--org", help="one organisation's code (default: all)")
    report.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    report.add_argument("-o", "--output", type=Path, help="the file (CSV: default stdout)")


async def run_report_command(settings: Settings, args: argparse.Namespace) -> int:
    # Imported here: the other commands of `python -m bot` need neither openpyxl nor SQL.
    from bot.clock import SystemClock
    from bot.i18n import Translator
    from bot.services.period_reports import PeriodReports
    from bot.views.report_table import csv_text, xlsx_bytes
    from db.engine import create_engine, create_session_factory

    if args.format == "xlsx" and args.output is None:
        print("an XLSX report needs a file: -o FILE.xlsx", file=sys.stderr)
        return EXIT_INVALID
    try:
        period = Period(args.first, args.last)
    except PeriodError as error:
        print(f"bad period: {error.code}", file=sys.stderr)
        return EXIT_INVALID
    engine = create_engine(settings.database.url)
    try:
        reports = PeriodReports(
            create_session_factory(engine),
            SystemClock(),
            settings.calendar_config(),
            settings.rating_weights(),
            page_policy=settings.pages.policy(),
        )
        if args.org is not None and not await reports.known_org(args.org):
            print(f"no organisation with the code {args.org!r}", file=sys.stderr)
            return EXIT_INVALID
        report = await reports.build(period, args.org)
    finally:
        await engine.dispose()
    translator = Translator(default_locale=settings.general.default_locale)
    locale = settings.general.default_locale

    def t(key: str, /, **params: Any) -> str:
        return translator.render(key, params, locale)

    if args.format == "csv":
        text = csv_text(report, t)
        if args.output is None:
            sys.stdout.write(text)
        else:
            args.output.write_text(text, encoding="utf-8-sig")  # the BOM: Excel reads UTF-8
    else:
        args.output.write_bytes(xlsx_bytes(report, t))
    if args.output is not None:
        print(f"{args.output}: {report.total.received} incidents, {period.label()}")
    return EXIT_OK
