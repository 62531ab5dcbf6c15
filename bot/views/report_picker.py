"""The /report period picker: this and last week, month and quarter."""

from __future__ import annotations

from bot.views.callbacks import ReportCb
from bot.views.keyboard import KeyboardSpec, button
from workflow.report_periods import PeriodChoice

ROWS = (
    (PeriodChoice.THIS_WEEK, PeriodChoice.LAST_WEEK),
    (PeriodChoice.THIS_MONTH, PeriodChoice.LAST_MONTH),
    (PeriodChoice.THIS_QUARTER, PeriodChoice.LAST_QUARTER),
)


def picker_keyboard() -> KeyboardSpec:
    return [
        [
            button(ReportCb(period=choice.value).pack(), key=f"reports.period.{choice.value}")
            for choice in row
        ]
        for row in ROWS
    ]
