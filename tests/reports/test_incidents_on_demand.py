"""The summary and the chart need no incident-by-incident facts; the table reads them when
it is drawn (the figures of a year stay fast), and refuses to be drawn without them."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.i18n import Translator
from bot.services.period_reports import PeriodReports, with_incidents
from bot.views.report_table import xlsx_bytes
from db.uow import UnitOfWork
from tests.conftest import MOSCOW_OFFICE
from workflow.rating import RatingWeights
from workflow.report_periods import Period

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def database_kind() -> str:
    return "sqlite"  # the figures are checked on both databases in test_figures.py


def _t() -> Any:
    translator = Translator()
    return lambda key, /, **params: translator.render(key, params, "ru")


async def test_the_table_reads_each_incident_when_it_is_drawn(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, november_rows: list[int]
) -> None:
    reports = PeriodReports(sessions, clock, MOSCOW_OFFICE, RatingWeights())
    figures_only = await reports.build(NOVEMBER, incidents=False)
    assert figures_only.facts is None
    assert figures_only.total == (await reports.build(NOVEMBER)).total
    with pytest.raises(ValueError, match="each incident's facts"):
        xlsx_bytes(figures_only, _t())
    async with UnitOfWork(sessions) as uow:
        full = await with_incidents(uow, figures_only, MOSCOW_OFFICE)
    assert full.facts is not None and len(full.facts) == full.total.received == 8
    assert full.rating == figures_only.rating
    incidents = load_workbook(io.BytesIO(xlsx_bytes(full, _t())))["Инциденты"]
    assert incidents.max_row == 1 + 8
