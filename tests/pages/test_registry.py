"""The pages section of the directory: checked with the rest of the file, imported,
exported back in the same shape; the registry for each reader, and as XLSX."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from bot.directory.export import export_directory
from bot.directory.loader import DirectoryInvalid, parse_directory
from bot.services.pages import PagesRefused
from bot.views.pages import registry_xlsx
from tests.pages.conftest import VK_GROUP, directory, load, person
from workflow.pages import belongs_to, expected_by


async def test_export_writes_the_pages_back_and_imports_to_the_same_state(
    registry, sessions
) -> None:
    text = await export_directory(sessions)
    assert "pages:" in text and f"vk_group_id: {VK_GROUP}" in text
    assert "authorised: [roads1]" in text
    spec = parse_directory(text)
    assert [p.url for p in spec.pages] == [
        "https://ok.ru/group/70000001",
        "https://t.me/parks_news",
        f"https://vk.com/club{VK_GROUP}",
    ]
    await load(sessions, text)
    assert await export_directory(sessions) == text


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ("organisation: roads\n    network: vk", "organisation: road\n    network: vk"),
            'unknown organisation "road" (did you mean "roads"?)',
        ),
        (("responsible: roads_head", "responsible: roads_hed"), 'unknown person "roads_hed"'),
        (("network: vk", "network: ok"), "the link is a vk page, not ok"),
        (("weekly_quota: 3", "weekly_quota: -1"), "bad weekly_quota -1"),
        (("url: https://t.me/parks_news", "url: parks"), 'bad url "parks"'),
    ],
)
def test_page_entries_are_checked_against_the_file(change: tuple[str, str], problem: str) -> None:
    text = directory().replace(*change, 1)
    with pytest.raises(DirectoryInvalid, match="pages\\[") as raised:
        parse_directory(text)
    assert problem in str(raised.value)


async def test_the_registry_is_read_by_curators_managers_and_each_responsible_official(
    registry, sessions, pages
) -> None:
    assert len(await pages.registry(await person(sessions, "manager"))) == 3
    own = await pages.registry(await person(sessions, "parks_head"))
    assert sorted(row.page.url for row in own) == [
        "https://ok.ru/group/70000001",
        "https://t.me/parks_news",
    ]
    roads = await pages.registry(await person(sessions, "roads1"))  # an authorised person
    assert [row.page.url for row in roads] == [f"https://vk.com/club{VK_GROUP}"]
    assert roads[0].authorised == ("Мостов Иван",) and roads[0].responsible == "Дорогин Пётр"


async def test_someone_with_no_page_and_no_reading_role_is_refused(sessions, pages) -> None:
    await load(sessions, directory(roads_page=False))
    with pytest.raises(PagesRefused, match="not_allowed"):
        await pages.registry(await person(sessions, "roads1"))


async def test_xlsx_has_the_regional_registrys_columns(registry, sessions, pages) -> None:
    rows = await pages.registry(await person(sessions, "curator"))
    book = load_workbook(BytesIO(registry_xlsx(rows, lambda key, **_: key)))
    sheet = book.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == [
        "pages.xlsx.number",
        "pages.xlsx.organisation",
        "pages.xlsx.network",
        "pages.xlsx.url",
    ]
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[3] for row in values] == [r.page.url for r in rows]
    assert values[-1][7] == "pages.xlsx.yes" and values[-1][9] == 3  # state mark, quota
    book.close()


def test_a_publication_belongs_to_its_page_only() -> None:
    assert belongs_to("https://vk.com/wall-5_10", "https://vk.com/club5", 5)
    assert not belongs_to("https://vk.com/wall-50_10", "https://vk.com/club5", 5)
    assert belongs_to("https://m.vk.com/club5?w=wall-5_1", "https://vk.com/club5", None)
    assert belongs_to("https://t.me/parks_news/12", "https://t.me/parks_news", None)
    assert not belongs_to("https://t.me/parks_news2/12", "https://t.me/parks_news", None)
    assert not belongs_to(
        "https://ok.ru/group/70000001x/topic/1", "https://ok.ru/group/70000001", None
    )


class Weekdays:
    """A calendar whose working days are Monday to Friday but the given holidays."""

    def __init__(self, *holidays: int) -> None:
        self.holidays = holidays

    def is_working_day(self, day) -> bool:  # type: ignore[no-untyped-def]
        return day.weekday() < 5 and day.day not in self.holidays


def test_pro_rata_share_counts_the_working_days_gone() -> None:
    from datetime import date

    monday = date(2026, 5, 18)
    assert expected_by(3, monday, date(2026, 5, 21), Weekdays()) == 2  # 3 × 3/5, rounded up
    assert expected_by(5, monday, date(2026, 5, 21), Weekdays()) == 3
    assert expected_by(10, monday, date(2026, 5, 21), Weekdays(19)) == 5  # 2 of 4 gone
    assert expected_by(3, monday, monday, Weekdays()) == 0


def test_pages_settings_override_quotas_and_lengths(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import Settings, SettingsError, load_settings
    from workflow.pages import PageKind

    monkeypatch.setenv("PAGES_QUOTAS", "administration=7; card=1")
    monkeypatch.setenv("PAGES_REMINDER_WEEKDAY", "wed")
    monkeypatch.setenv("PAGES_REPORT_REGION_DAYS", "4")
    policy = Settings().pages.policy()
    assert policy.quota(PageKind.ADMINISTRATION, None) == 7
    assert policy.quota(PageKind.HEAD, None) == 5  # the default stays
    assert policy.quota(PageKind.CARD, 2) == 2  # a page's own quota wins
    assert (policy.reminder_weekday, policy.lengths.report_region) == (2, 4)
    monkeypatch.setenv("PAGES_QUOTAS", "village=3")
    with pytest.raises(SettingsError, match="PAGES_QUOTAS"):
        load_settings()
