"""The official pages in the quarterly report (issue 14 item 6), on SQLite and PostgreSQL.

The fourth quarter of 2026: 14 weeks (28 September … 28 December, each holding a Thursday
of the quarter). Worked out by hand:

- roads' VK page (quota 3, Vladivostok, UTC+10): 3 posts in the week of 28 September (met),
  2 in the week of 5 October and 2 in the week of 12 October — one of these at 00:30 on
  Monday 12 October in Vladivostok, still Sunday in Moscow (in Moscow's zone the week of 5
  October would be met) — 4 in the week of 2 November (met): 2 of 14 weeks, 11 posts, 42
  expected.
- parks' Telegram channel (quota 3): 2 posts in the week of 26 October: 0 of 14, 2 posts.
- parks' OK page (the head's, quota 5): 5 posts in the week of 19 October (met), deleted on
  Wednesday 2 December (its last week not judged, nor those after): 1 of 9 weeks, 5 posts,
  45 expected; its report to the information sector made on time, to the regional centre
  late (001 п.3.3.2, п.3.2.4).
- parks in all: 1 of 23 weeks, 7 posts, 87 expected, reports 1 on time and 1 late; the
  administration: 3 of 37 weeks, 18 posts, 129 expected.

The rating: roads answers in 1 working hour, parks in 2, water (no pages) in 1.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.i18n import Translator
from bot.services.period_reports import PeriodReport, PeriodReports
from bot.views.report_table import xlsx_bytes
from bot.views.report_text import summary_text
from db.models_pages import Page, PageDuty, PagePost
from tests.conftest import MOSCOW_OFFICE
from tests.pages.conftest import VK_GROUP, VLADIVOSTOK, msk
from tests.reports.incident_rows import add_org, add_rows, utc
from tests.reports.november import answered
from workflow.page_figures import PageFigures
from workflow.pages import DutyKind, PageKind, PagePolicy
from workflow.rating import RatingWeights
from workflow.report_periods import Period

Q4 = Period(date(2026, 10, 1), date(2026, 12, 31))
ROADS_URL = f"https://vk.com/club{VK_GROUP}"
CHANNEL_URL, OK_URL = "https://t.me/parks_news", "https://ok.ru/group/70000001"


def vlad(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VLADIVOSTOK)  # type: ignore[misc]


POSTS: dict[str, list[datetime]] = {
    ROADS_URL: [
        *(vlad(2026, 9, 29, hour) for hour in (10, 11, 12)),
        vlad(2026, 10, 6, 12),
        vlad(2026, 10, 7, 12),
        vlad(2026, 10, 12, 0, 30),  # Sunday 17:30 in Moscow
        vlad(2026, 10, 14, 12),
        *(vlad(2026, 11, day, 12) for day in (3, 5, 6, 6)),
        vlad(2027, 1, 5, 12),  # the next quarter
    ],
    CHANNEL_URL: [msk(2026, 10, 27, 12), msk(2026, 10, 28, 12)],
    OK_URL: [*(msk(2026, 10, day, 12) for day in range(20, 25)), msk(2026, 12, 1, 12)],
}
DELETED = msk(2026, 12, 2, 10)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(msk(2027, 1, 11, 9))


@pytest.fixture
def t() -> Any:
    translator = Translator()
    return lambda key, /, **params: translator.render(key, params, "ru")


@pytest.fixture
async def quarter(sessions: async_sessionmaker[AsyncSession], registry: None) -> None:
    async with sessions() as session, session.begin():
        ids = {url: id_ for url, id_ in (await session.execute(select(Page.url, Page.id))).all()}
        for url, moments in POSTS.items():
            for number, moment in enumerate(moments):
                session.add(
                    PagePost(
                        page_id=ids[url],
                        external_id=f"{url}#{number}",
                        url=f"{url}/{number}",
                        posted_at=moment,
                        source="manual",
                        created_at=moment,
                    )
                )
        await session.execute(update(Page).where(Page.url == OK_URL).values(active=False))
        for kind, due, done in (
            (DutyKind.REPORT_SECTOR, msk(2026, 12, 4, 18), msk(2026, 12, 3, 11)),  # on time
            (DutyKind.REPORT_REGION, msk(2026, 12, 7, 18), msk(2026, 12, 9, 10)),  # late
        ):
            session.add(
                PageDuty(
                    page_id=ids[OK_URL],
                    kind=kind,
                    change="deleted",
                    started_at=DELETED,
                    due_at=due,
                    state="done",
                    done_at=done,
                    next_alert_at=None,
                    params={},
                )
            )
        await add_org(session, "water", "Водоканал")
        await add_rows(
            session,
            [
                answered("roads", 10, 13, utc(10, 13, 8)),  # 1 working hour
                answered("roads", 10, 14, utc(10, 14, 8)),
                answered("parks", 10, 13, utc(10, 13, 9)),  # 2 working hours
                answered("parks", 10, 14, utc(10, 14, 9)),
                answered("water", 10, 13, utc(10, 13, 8)),
                answered("water", 10, 14, utc(10, 14, 8)),
            ],
        )


async def build(
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    org: str | None = None,
    weight: float = 0.2,
    policy: PagePolicy | None = None,
) -> PeriodReport:
    reports = PeriodReports(
        sessions,
        clock,
        MOSCOW_OFFICE,
        RatingWeights(pages=weight),
        page_policy=policy or PagePolicy(),
    )
    return await reports.build(Q4, org)


@pytest.mark.usefixtures("quarter")
async def test_quarter_page_figures_per_organisation_and_in_all(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock
) -> None:
    report = await build(sessions, clock)
    pages = report.pages
    assert len(pages.weeks) == 14
    assert pages.per_org["roads"] == PageFigures(1, 14, 2, 11, 42, 0, 0)
    assert pages.per_org["parks"] == PageFigures(2, 23, 1, 7, 87, 1, 1)
    assert pages.total == PageFigures(3, 37, 3, 18, 129, 1, 1)
    roads = next(row for row in pages.rows if row.page.url == ROADS_URL)
    assert [week.posts for week in roads.weeks[:3]] == [3, 2, 2]  # Vladivostok's weeks
    ok = next(row for row in pages.rows if row.page.url == OK_URL)
    assert (ok.judged, ok.met, ok.reports_on_time, ok.reports_late) == (9, 1, 1, 1)
    one = await build(sessions, clock, "parks")
    assert set(one.pages.per_org) == {"parks"}
    assert one.pages.total == PageFigures(2, 23, 1, 7, 87, 1, 1)


@pytest.mark.usefixtures("quarter")
async def test_the_quotas_by_kind_come_from_the_configuration(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock
) -> None:
    """PAGES_QUOTAS organisation=2: the channel's 2 posts of 26 October meet it; roads'
    page keeps its own quota of 3 from the directory."""
    policy = PagePolicy(quotas=((PageKind.ORGANISATION, 2), (PageKind.HEAD, 5)))
    report = await build(sessions, clock, policy=policy)
    assert report.pages.per_org["parks"] == PageFigures(2, 23, 2, 7, 73, 1, 1)
    assert report.pages.per_org["roads"] == PageFigures(1, 14, 2, 11, 42, 0, 0)


@pytest.mark.usefixtures("quarter")
async def test_p12_rating_with_and_without_the_pages(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock
) -> None:
    def places(report: PeriodReport) -> list[tuple[str, float]]:
        return [(row.org_code, row.score) for row in report.rating.rows]

    off = await build(sessions, clock, weight=0.0)
    assert places(off) == [("roads", 95.0), ("water", 95.0), ("parks", 90.0)]
    default = await build(sessions, clock)  # (0.95 + 0.2 · 1/7) / 1.2; (0.9 + 0.2 · 0.2717) / 1.2
    assert places(default) == [("water", 95.0), ("roads", 81.5), ("parks", 79.5)]
    heavy = await build(sessions, clock, weight=1.0)
    assert places(heavy) == [("water", 95.0), ("parks", 58.6), ("roads", 54.6)]


@pytest.mark.usefixtures("quarter")
async def test_summary_line_and_the_pages_sheet(
    sessions: async_sessionmaker[AsyncSession], clock: ManualClock, t: Any
) -> None:
    report = await build(sessions, clock)
    text = summary_text(report, t, RatingWeights())
    assert (
        "Госпаблики: страниц — 3; недель с выполненной нормой публикаций — 3 из 37 (8 %); "
        "публикаций — 18 при норме 129; отчёты о создании и удалении страниц: в срок — 1, "
        "с опозданием — 1." in text
    )
    assert (
        "Меньше всего недель с выполненной нормой: Управление парков — 1 из 23 (4 %); "
        "Управление дорог — 2 из 14 (14 %)." in text
    )
    roads_text = summary_text(await build(sessions, clock, "roads"), t, RatingWeights())
    assert "недель с выполненной нормой публикаций — 2 из 14 (14 %)" in roads_text
    assert "Меньше всего" not in roads_text
    book = load_workbook(io.BytesIO(xlsx_bytes(report, t)))
    assert book.sheetnames[-1] == "Госпаблики"
    sheet = book["Госпаблики"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:AA{sheet.max_row}"  # 13 columns and 14 weeks
    assert sheet.column_dimensions["C"].width > 20  # the links
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Организация", "Страница", "Ссылка"]
    assert rows[0][13] == "Неделя с 28.09" and rows[0][26] == "Неделя с 28.12"
    by_url = {row[2]: row for row in rows[1:] if row[2]}
    roads = by_url[ROADS_URL]
    assert roads[:2] == ["Управление дорог", ROADS_URL]
    assert roads[3:13] == [
        "ВКонтакте",
        t("pages.kind.organisation"),
        3,
        14,
        2,
        0.1429,
        11,
        42,
        0,
        0,
    ]
    assert roads[13:16] == [3, 2, 2]
    ok = by_url[OK_URL]
    assert ok[5:13] == [5, 9, 1, 0.1111, 5, 45, 1, 1]
    assert ok[13:23] == [0, 0, 0, 5, 0, 0, 0, 0, 0, 1]  # its last week shown, not judged
    assert ok[23:] == [None] * 4  # deleted
    totals = [row for row in rows[1:] if row[1] == "Итого"]
    assert [row[0] for row in totals] == [
        "Управление парков",
        "Управление дорог",
        t("reports.total"),
    ]
    assert totals[-1][6:13] == [37, 3, 0.0811, 18, 129, 1, 1]
    water = await build(sessions, clock, "water")
    assert "Госпаблики" not in summary_text(water, t, RatingWeights())
    assert "Госпаблики" not in load_workbook(io.BytesIO(xlsx_bytes(water, t))).sheetnames
