"""Page lifecycle and hygiene: a page created or deleted starts the two report clocks
(001 п.3.3.2: 2 working days to the information sector; п.3.2.4: 3 to the regional centre);
a departed administrator must be taken off the page (001 п.3); the blacklist."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.services.pages import PagesRefused
from db.models_pages import PageAdmin, PageDuty
from tests.pages.conftest import (
    CURATOR,
    PARKS_HEAD,
    ROADS_HEAD,
    directory,
    load,
    msk,
    outbox,
    person,
)

VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")


async def duties(sessions) -> list[PageDuty]:
    async with sessions() as session:
        return list((await session.scalars(select(PageDuty).order_by(PageDuty.id))).all())


async def test_p3_3_2_and_p3_2_4_page_removal_starts_both_clocks_skipping_weekend_and_holiday(
    registry, sessions, pages, jobs, clock
) -> None:
    # Thursday 11 June 2026; Friday the 12th is Russia Day, then the weekend.
    clock.set(msk(2026, 6, 11, 10, 0))
    page, sector, region = await pages.remove_page(
        await person(sessions, "parks_head"), "https://ok.ru/group/70000001/"
    )
    assert sector == msk(2026, 6, 16, 18, 0)  # Mon 15th, Tue 16th
    assert region == msk(2026, 6, 17, 18, 0)
    await load(sessions, directory(roads_page=False))  # the file drops the roads page
    await jobs.run()
    found = {(d.page_id, d.kind.value): d for d in await duties(sessions)}
    assert found[(page.id, "report_sector")].due_at == sector
    assert found[(page.id, "report_region")].due_at == region
    roads = [d for d in found.values() if d.page_id != page.id]
    # The roads page keeps Vladivostok's calendar: the closing there on the 16th and 17th.
    assert sorted(d.due_at.astimezone(VLADIVOSTOK) for d in roads) == [
        datetime(2026, 6, 16, 18, 0, tzinfo=VLADIVOSTOK),
        datetime(2026, 6, 17, 18, 0, tzinfo=VLADIVOSTOK),
    ]
    drafts = await outbox(sessions, "pages.duty.report_")
    assert sorted((r.chat_id, r.key) for r in drafts) == [
        (ROADS_HEAD, "pages.duty.report_region.deleted"),
        (ROADS_HEAD, "pages.duty.report_sector.deleted"),
        (PARKS_HEAD, "pages.duty.report_region.deleted"),
        (PARKS_HEAD, "pages.duty.report_sector.deleted"),
    ]
    assert all(r.params["keyboard"][0][0]["k"] == "pages.button.done" for r in drafts)


async def test_report_duty_is_reminded_then_alerted_until_confirmed(
    registry, sessions, pages, jobs, clock
) -> None:
    clock.set(msk(2026, 5, 18, 10, 0))  # Monday
    head = await person(sessions, "parks_head")
    await pages.remove_page(head, "https://ok.ru/group/70000001")
    await jobs.run()
    sector = next(d for d in await duties(sessions) if d.kind.value == "report_sector")
    clock.set(msk(2026, 5, 19, 14, 29))  # half of the working time to Wednesday 18:00: 14:30
    await jobs.run()
    assert await outbox(sessions, "pages.duty_reminder") == []
    clock.set(msk(2026, 5, 19, 14, 30))
    await jobs.run()
    [reminder] = await outbox(sessions, "pages.duty_reminder")
    assert (reminder.chat_id, reminder.params["duty_id"]) == (PARKS_HEAD, sector.id)
    clock.set(msk(2026, 5, 20, 18, 1))
    await jobs.run()
    overdue = await outbox(sessions, "pages.duty_overdue")
    assert sorted(r.chat_id for r in overdue) == [CURATOR, PARKS_HEAD]
    await pages.complete_duty(head, sector.id)
    with pytest.raises(PagesRefused, match="duty_done"):
        await pages.complete_duty(head, sector.id)
    with pytest.raises(PagesRefused, match="not_yours"):
        await pages.complete_duty(await person(sessions, "roads_head"), sector.id)
    clock.set(msk(2026, 5, 25, 12, 0))
    await jobs.run()
    late = [r.params["duty_id"] for r in await outbox(sessions, "pages.duty_overdue")]
    assert late.count(sector.id) == 2  # confirmed: nothing more about it
    assert len(late) == 4  # the regional report, still open, alerted in its turn


async def test_page_add_records_a_created_page_and_its_clocks(
    registry, sessions, pages, jobs, clock
) -> None:
    clock.set(msk(2026, 5, 22, 17, 0))  # Friday
    page, sector, region = await pages.add_page(
        await person(sessions, "curator"), "https://vk.com/club555", "parks", "active"
    )
    assert (page.vk_group_id, page.responsible_id) == (
        555,
        (await person(sessions, "parks_head")).id,
    )
    assert (sector, region) == (msk(2026, 5, 26, 18, 0), msk(2026, 5, 27, 18, 0))
    with pytest.raises(PagesRefused, match="exists"):
        await pages.add_page(
            await person(sessions, "curator"), "https://vk.com/club555", "parks", None
        )
    with pytest.raises(PagesRefused, match="not_allowed_add"):
        await pages.add_page(
            await person(sessions, "roads1"), "https://vk.com/club556", "parks", None
        )
    await load(sessions, directory())  # the file does not list it: an import leaves it alone
    await jobs.run()
    keys = sorted(r.key for r in await outbox(sessions, "pages.duty.report_"))
    assert keys == ["pages.duty.report_region.created", "pages.duty.report_sector.created"]


async def test_p3_a_deactivated_page_administrator_produces_the_removal_request(
    registry, sessions, pages, jobs, clock
) -> None:
    clock.set(msk(2026, 5, 18, 10, 0))
    await load(sessions, directory(roads1_active=False))  # Мостов left
    await load(sessions, directory(roads1_active=False))  # importing again asks nothing new
    await jobs.run()
    [request] = await outbox(sessions, "pages.duty.remove_admin")
    assert request.chat_id == ROADS_HEAD
    assert request.params["subject"] == "Мостов Иван"
    [duty] = [d for d in await duties(sessions) if d.kind.value == "remove_admin"]
    # One working day in Vladivostok: the closing of Tuesday there.
    assert duty.due_at.astimezone(VLADIVOSTOK) == datetime(2026, 5, 19, 18, 0, tzinfo=VLADIVOSTOK)
    await pages.complete_duty(await person(sessions, "roads_head"), duty.id)
    async with sessions() as session:
        assert list(await session.scalars(select(PageAdmin.person_id))) == []


async def test_p3_a_person_deactivated_by_any_path_is_seen_by_the_job(
    registry, sessions, jobs, clock
) -> None:
    from sqlalchemy import update

    from db.models import Person

    async with sessions() as session, session.begin():
        await session.execute(update(Person).where(Person.key == "roads1").values(active=False))
    await jobs.run()
    await jobs.run()
    [request] = await outbox(sessions, "pages.duty.remove_admin")
    assert (request.chat_id, request.params["subject"]) == (ROADS_HEAD, "Мостов Иван")


async def test_the_registry_is_kept_with_the_directory_until_a_page_is_written(
    registry, sessions, pages, clock
) -> None:
    """Every new incident asks which page it came from: the active pages are read once and
    kept with the directory's snapshot, and read again once a page is added or removed."""
    from sqlalchemy import event

    from db.uow import UnitOfWork

    async def registry_urls() -> set[str]:
        async with UnitOfWork(sessions) as uow:
            return {page.url for page in await uow.pages.pages()}

    before = await registry_urls()
    bind = sessions.kw["bind"]
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(bind.sync_engine, "before_cursor_execute", count)
    try:
        assert await registry_urls() == before
        assert [s for s in seen if "FROM pages" in s] == []
    finally:
        event.remove(bind.sync_engine, "before_cursor_execute", count)
    clock.set(msk(2026, 5, 22, 17, 0))
    page, _, _ = await pages.add_page(
        await person(sessions, "curator"), "https://vk.com/club777", "parks", None
    )
    assert await registry_urls() == before | {page.url}
