"""The report's table read back with openpyxl, its chart as a PNG with Cyrillic glyphs, its
text (over the November incidents of tests/reports/november.py)."""

from __future__ import annotations

import io
import struct
import warnings
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.i18n import Translator
from bot.services.period_reports import PeriodReport, PeriodReports
from bot.views.report_chart import chart_png
from bot.views.report_table import csv_text, xlsx_bytes
from bot.views.report_text import summary_text, title
from tests.conftest import MOSCOW_OFFICE
from workflow.rating import RatingWeights
from workflow.report_periods import Period

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def database_kind() -> str:
    return "sqlite"  # the figures are checked on both databases in test_figures.py


@pytest.fixture
def t() -> Any:
    translator = Translator()
    return lambda key, /, **params: translator.render(key, params, "ru")


@pytest.fixture
async def report(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, november_rows: list[int]
) -> PeriodReport:
    return await PeriodReports(sessions, clock, MOSCOW_OFFICE, RatingWeights()).build(NOVEMBER)


async def test_xlsx_sheets_headers_types_and_values(report: PeriodReport, t: Any) -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes(report, t)))
    assert book.sheetnames == ["Сводка", "Инциденты", "Возвраты"]
    summary, incidents, returns = (book[name] for name in book.sheetnames)
    for sheet in (summary, incidents, returns):
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")
        assert sheet.column_dimensions["A"].width > 5
    header = [cell.value for cell in summary[1]]
    assert header[:5] == ["Организация", "Поступило", "В срок", "Доля в срок", "С нарушением срока"]
    rows = {row[0]: row for row in summary.iter_rows(min_row=2, values_only=True)}
    water = rows["Водоканал"]
    assert water[1:4] == (2, 2, 1.0)
    assert water[header.index("Место в рейтинге")] == 1
    assert water[header.index("Баллы")] == 89.6
    total = rows["Всего по администрации"]
    assert total[1:5] == (8, 4, pytest.approx(0.6667), 2)
    assert total[header.index("Закрыто по п.21")] == 1
    assert total[header.index("Не требуют ответа (п.10)")] == 1
    assert summary["D2"].number_format == "0%"

    header = [cell.value for cell in incidents[1]]
    assert header[:3] == ["№", "Выявлен", "Статус"]
    by_id = {row[0]: row for row in incidents.iter_rows(min_row=2, values_only=True)}
    assert len(by_id) == 8
    first = min(by_id)
    detected = by_id[first][1]
    assert isinstance(detected, datetime)
    assert detected == datetime(2026, 11, 2, 10, 0)  # Moscow wall-clock time
    assert incidents.cell(row=2, column=2).number_format == "DD.MM.YYYY HH:MM"
    assert by_id[first][header.index("Срок ответа соблюдён")] == "да"
    assert by_id[first + 1][header.index("Срок ответа соблюдён")] == "нет"
    assert by_id[first + 7][header.index("Статус")] == "не требует ответа (п.10)"

    header = [cell.value for cell in returns[1]]
    assert header == ["№ инцидента", "Организация", "Проект №", "Возвращён", "Причины (п.14)",
                      "Комментарий"]  # fmt: skip
    values = list(returns.iter_rows(min_row=2, values_only=True))
    assert len(values) == 3
    assert values[0][4] == "не соответствует сути вопроса; орфографические и пунктуационные ошибки"
    assert isinstance(values[0][3], datetime)


async def test_csv_is_the_summary(report: PeriodReport, t: Any) -> None:
    lines = csv_text(report, t).splitlines()
    assert lines[0].startswith("Организация;Поступило;В срок")
    assert lines[-1].startswith("Всего по администрации;8;4;")


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def test_chart_is_a_png_of_sensible_size_with_cyrillic(report: PeriodReport, t: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = chart_png(report, t, title(report, t, "reports.title_quarterly"))
    missing = [str(w.message) for w in caught if "missing from" in str(w.message).lower()]
    assert missing == []  # "Glyph … missing from font(s)" would mean boxes instead of letters
    width, height = _png_size(data)
    assert 800 <= width <= 1600 and 400 <= height <= 2000
    assert 10_000 < len(data) < 1_000_000


async def test_summary_text(report: PeriodReport, t: Any) -> None:
    text = summary_text(report, t, RatingWeights())
    assert "Поступило: 8" in text
    assert "В срок: 4 (67 %), с нарушением срока: 2 (33 %)" in text
    assert "медиана 1,0" in text
    assert "1. Водоканал — 89,6 ▲1" in text
    assert "2. Управление дорожного хозяйства — 63,7 ▼1" in text
    assert "Не оцениваются (меньше 2 инцидентов): Управление благоустройства" in text
    assert len(text) < 4096


async def test_summary_of_many_organisations_stays_within_telegram_limit(
    report: PeriodReport, t: Any
) -> None:
    from dataclasses import replace

    from workflow.rating import Rating

    many = tuple(f"org{i}" for i in range(200))
    names = {code: "Муниципальное бюджетное учреждение номер " + code for code in many}
    crowded = replace(report, rating=Rating(report.rating.rows, many), names=names)
    text = summary_text(crowded, t, RatingWeights())
    assert len(text) < 4096
    assert "… и ещё 180" in text
