"""The pages of a directory import (called by db/directory_sync.py), and their export.

Pages are matched by their normalised link. What an import changes starts duties, written
here without a time (an import has no clock; the pages scheduler settles them on the page's
calendar within a minute, bot/pages/duties.py):

- a page the file adds, or one it no longer lists, is a page created or deleted: the two
  report clocks start (001 п.3.3.2, п.3.2.4). The first import that brings pages at all
  loads an existing registry, so it starts none;
- a page added by `/page_add` is not the file's: an import leaves it alone until the file
  lists it; a page removed by `/page_remove` stays removed even while the file lists it;
- an authorised person of a page who is now deactivated (left): the page's responsible
  official must take them off the page's administrators (001 п.3), once per page and person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.directory_records import SyncReport
from db.models import Organisation, Person
from db.models_pages import Page, PageAdmin, PageDuty
from db.pages_records import PageRecord
from workflow.pages import DutyKind, PageChange

REPORT_DUTIES = (DutyKind.REPORT_SECTOR, DutyKind.REPORT_REGION)


async def page_links(session: AsyncSession) -> set[tuple[int, int]]:
    """(page id, person id) of every authorised person of an active page."""
    rows = await session.execute(
        select(PageAdmin.page_id, PageAdmin.person_id)
        .join(Page, Page.id == PageAdmin.page_id)
        .where(Page.active.is_(True))
    )
    return {(page_id, person_id) for page_id, person_id in rows.all()}


def report_duties(page_id: int, change: PageChange) -> list[PageDuty]:
    return [
        PageDuty(page_id=page_id, kind=kind, change=change.value, state="open", params={})
        for kind in REPORT_DUTIES
    ]


async def sync_pages(
    session: AsyncSession,
    records: Iterable[PageRecord],
    organisations: Mapping[str, Organisation],
    people: Mapping[str, Person],
    report: SyncReport,
    links_before: set[tuple[int, int]],
) -> None:
    rows = {page.url: page for page in (await session.scalars(select(Page))).all()}
    first_load = not rows
    listed = {record.url: record for record in records}
    for url, record in listed.items():
        values = {
            "organisation_id": organisations[record.organisation].id,
            "network": record.network,
            "title": record.title,
            "vk_group_id": record.vk_group_id,
            "telegram_chat_id": record.telegram_chat_id,
            "kind": record.kind,
            "responsible_id": people[record.responsible].id if record.responsible else None,
            "state_mark": record.state_mark,
            "gospubliki": record.gospubliki,
            "weekly_quota": record.weekly_quota,
            "from_file": True,
        }
        row = rows.get(url)
        if row is not None and not row.active and not row.from_file:
            report.notes.append(
                f"page {url} was removed with /page_remove but the file still lists it: "
                "it stays removed (take it out of the file, or add it again with /page_add)"
            )
            continue
        created = row is None or not row.active
        if row is None:
            rows[url] = row = Page(url=url, active=True, **values)
            session.add(row)
        else:
            for name, value in {**values, "active": True}.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
        await session.flush()
        if created and not first_load:
            session.add_all(report_duties(row.id, PageChange.CREATED))
            report.notes.append(f"page {url} created: the reports of a new page are due")
        await _sync_admins(session, row.id, [people[key].id for key in record.authorised])
    for url, row in rows.items():
        if url not in listed and row.from_file and row.active:
            row.active = False
            session.add_all(report_duties(row.id, PageChange.DELETED))
            report.notes.append(f"page {url} deleted: the reports of a deleted page are due")
    await session.flush()
    await departed_admins(session, links_before | await page_links(session))


async def _sync_admins(session: AsyncSession, page_id: int, person_ids: list[int]) -> None:
    current = set(
        await session.scalars(select(PageAdmin.person_id).where(PageAdmin.page_id == page_id))
    )
    wanted = set(person_ids)
    if current - wanted:
        await session.execute(
            delete(PageAdmin).where(
                PageAdmin.page_id == page_id, PageAdmin.person_id.in_(current - wanted)
            )
        )
    session.add_all(PageAdmin(page_id=page_id, person_id=p) for p in wanted - current)


async def departed_admins(session: AsyncSession, links: set[tuple[int, int]]) -> int:
    """A removal duty for each deactivated authorised person of an active page that has
    none yet; returns how many were recorded."""
    if not links:
        return 0
    person_ids = {person_id for _, person_id in links}
    inactive = set(
        await session.scalars(
            select(Person.id).where(Person.id.in_(person_ids), Person.active.is_(False))
        )
    )
    active_pages = set(
        await session.scalars(
            select(Page.id).where(Page.id.in_({p for p, _ in links}), Page.active.is_(True))
        )
    )
    known = {
        (page_id, subject_id)
        for page_id, subject_id in (
            await session.execute(
                select(PageDuty.page_id, PageDuty.subject_id).where(
                    PageDuty.kind == DutyKind.REMOVE_ADMIN
                )
            )
        ).all()
    }
    added = 0
    for page_id, person_id in sorted(links):
        if person_id in inactive and page_id in active_pages and (page_id, person_id) not in known:
            session.add(
                PageDuty(
                    page_id=page_id,
                    kind=DutyKind.REMOVE_ADMIN,
                    subject_id=person_id,
                    state="open",
                    params={},
                )
            )
            added += 1
    await session.flush()
    return added


async def read_pages(session: AsyncSession) -> tuple[PageRecord, ...]:
    """The active pages for an export, by organisation then link."""
    code_of = dict((await session.execute(select(Organisation.id, Organisation.code))).all())
    key_of = dict((await session.execute(select(Person.id, Person.key))).all())
    admins: dict[int, list[str]] = {}
    for page_id, person_id in (
        await session.execute(select(PageAdmin.page_id, PageAdmin.person_id))
    ).all():
        admins.setdefault(page_id, []).append(key_of[person_id])
    pages = (await session.scalars(select(Page).where(Page.active.is_(True)))).all()
    return tuple(
        PageRecord(
            organisation=code_of[page.organisation_id],
            network=page.network,
            url=page.url,
            kind=page.kind,
            responsible=key_of.get(page.responsible_id) if page.responsible_id else None,
            authorised=tuple(sorted(admins.get(page.id, []))),
            vk_group_id=page.vk_group_id,
            telegram_chat_id=page.telegram_chat_id,
            title=page.title,
            state_mark=page.state_mark,
            gospubliki=page.gospubliki,
            weekly_quota=page.weekly_quota,
        )
        for page in sorted(pages, key=lambda p: (code_of[p.organisation_id], p.url))
    )
