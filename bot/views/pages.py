"""The registry of official pages: as a message, and as an XLSX file in the shape of the
regional registry (one row a page: organisation, network, link, category, responsible
official, authorised persons, госметка, Госпаблики, weekly norm, this week's posts)."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bot.services.pages import PageRow
from bot.views.format import Translate, e

MESSAGE_LIMIT = 4000
COLUMNS = (
    "number",
    "organisation",
    "network",
    "url",
    "kind",
    "responsible",
    "authorised",
    "state_mark",
    "gospubliki",
    "quota",
    "count",
)


def registry_lines(rows: Sequence[PageRow], t: Translate) -> list[str]:
    lines = []
    for row in rows:
        page = row.page
        mark = "✅" if row.count >= row.quota else "⚠️"
        lines.append(
            t(
                "pages.registry_row",
                mark=mark,
                org=e(row.org_name),
                network=t(f"pages.network.{page.network.value}"),
                url=e(page.url),
                kind=t(f"pages.kind.{page.kind.value}"),
                responsible=e(row.responsible or "—"),
                count=row.count,
                quota=row.quota,
            )
        )
    return lines


def registry_messages(rows: Sequence[PageRow], t: Translate) -> list[str]:
    """The registry split into messages within Telegram's length limit."""
    week = rows[0].week.strftime("%d.%m.%Y") if rows else ""
    messages = [t("pages.registry_header", count=len(rows), week=week)]
    for line in registry_lines(rows, t):
        if len(messages[-1]) + len(line) + 2 > MESSAGE_LIMIT:
            messages.append(line)
        else:
            messages[-1] += "\n\n" + line
    return messages


def registry_xlsx(rows: Sequence[PageRow], t: Translate) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t("pages.xlsx.sheet")[:31]
    sheet.append([t(f"pages.xlsx.{name}") for name in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    yes, no = t("pages.xlsx.yes"), t("pages.xlsx.no")
    for number, row in enumerate(rows, start=1):
        page = row.page
        sheet.append(
            [
                number,
                row.org_name,
                t(f"pages.network.{page.network.value}"),
                page.url,
                t(f"pages.kind.{page.kind.value}"),
                row.responsible or "",
                ", ".join(row.authorised),
                yes if page.state_mark else no,
                yes if page.gospubliki else no,
                row.quota,
                row.count,
            ]
        )
    for letter, width in zip(
        "ABCDEFGHIJK", (6, 40, 14, 40, 18, 30, 40, 10, 12, 12, 12), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
