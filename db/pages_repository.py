"""The pages' SQL: the registry, counted publications, duties, notices sent once, the
blacklist. Rows become plain values here (PageView, DutyView); nothing commits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.directory_cache import session_cache
from db.directory_changes import directory_written
from db.models import Organisation
from db.models_pages import Page, PageAdmin, PageBlacklist, PageDuty, PageNotice, PagePost
from db.page_facts import page_facts
from db.pages_sync import departed_admins, page_links
from workflow.page_figures import PageFacts
from workflow.pages import DutyKind, Network, PageKind, PagePolicy


@dataclass(frozen=True, slots=True)
class PageView:
    id: int
    url: str
    org_code: str
    network: Network
    kind: PageKind
    title: str | None
    vk_group_id: int | None
    telegram_chat_id: int | None
    responsible_id: int | None
    admin_ids: tuple[int, ...]
    state_mark: bool
    gospubliki: bool
    weekly_quota: int | None  # None: the kind's default
    active: bool


@dataclass(frozen=True, slots=True)
class DutyView:
    id: int
    page_id: int
    kind: DutyKind
    change: str | None
    subject_id: int | None
    started_at: datetime | None
    due_at: datetime | None
    state: str
    alert_stage: int
    next_alert_at: datetime | None


@dataclass(frozen=True, slots=True)
class CountedPost:
    url: str
    posted_at: datetime


def _duty(row: PageDuty) -> DutyView:
    return DutyView(
        row.id,
        row.page_id,
        row.kind,
        row.change,
        row.subject_id,
        row.started_at,
        row.due_at,
        row.state,
        row.alert_stage,
        row.next_alert_at,
    )


_ACTIVE_PAGES = "pages.active"  # the memo key in the directory snapshot


class PageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- the registry ---------------------------------------------------------------------

    async def pages(self, *, include_removed: bool = False) -> list[PageView]:
        """The registry; the active pages are kept with the directory's snapshot (every new
        incident asks which page it came from) until the directory or a page is written."""
        if include_removed:
            return await self._read_pages(include_removed=True)
        memo = (await session_cache(self._session).snapshot(self._session)).memo
        if _ACTIVE_PAGES not in memo:
            memo[_ACTIVE_PAGES] = tuple(await self._read_pages(include_removed=False))
        return list(memo[_ACTIVE_PAGES])

    async def _read_pages(self, *, include_removed: bool) -> list[PageView]:
        query = select(Page, Organisation.code).join(
            Organisation, Organisation.id == Page.organisation_id
        )
        if not include_removed:
            query = query.where(Page.active.is_(True))
        rows = (await self._session.execute(query.order_by(Organisation.code, Page.url))).all()
        admins: dict[int, list[int]] = {}
        for page_id, person_id in (
            await self._session.execute(
                select(PageAdmin.page_id, PageAdmin.person_id).order_by(PageAdmin.person_id)
            )
        ).all():
            admins.setdefault(page_id, []).append(person_id)
        return [self._view(page, code, admins.get(page.id, [])) for page, code in rows]

    @staticmethod
    def _view(page: Page, code: str, admins: Iterable[int]) -> PageView:
        return PageView(
            id=page.id,
            url=page.url,
            org_code=code,
            network=page.network,
            kind=page.kind,
            title=page.title,
            vk_group_id=page.vk_group_id,
            telegram_chat_id=page.telegram_chat_id,
            responsible_id=page.responsible_id,
            admin_ids=tuple(admins),
            state_mark=page.state_mark,
            gospubliki=page.gospubliki,
            weekly_quota=page.weekly_quota,
            active=page.active,
        )

    async def page(self, page_id: int) -> PageView | None:
        return next((p for p in await self.pages(include_removed=True) if p.id == page_id), None)

    async def page_by_url(self, url: str) -> PageView | None:
        return next((p for p in await self.pages(include_removed=True) if p.url == url), None)

    async def add_page(self, values: dict[str, Any], organisation_id: int) -> int:
        """A page added by hand (/page_add): a new row, or a deleted one brought back."""
        row = await self._session.scalar(select(Page).where(Page.url == values["url"]))
        if row is None:
            row = Page(organisation_id=organisation_id, from_file=False, active=True, **values)
            self._session.add(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.organisation_id, row.active = organisation_id, True
        await self._session.flush()
        directory_written(self._session)
        return row.id

    async def remove_page(self, page_id: int) -> None:
        row = await self._session.get(Page, page_id)
        if row is not None:
            row.active = False
            row.from_file = False  # removed by hand: an import does not bring it back
            await self._session.flush()
            directory_written(self._session)

    async def remove_admin(self, page_id: int, person_id: int) -> None:
        await self._session.execute(
            delete(PageAdmin).where(PageAdmin.page_id == page_id, PageAdmin.person_id == person_id)
        )
        directory_written(self._session)

    # --- publications ---------------------------------------------------------------------

    async def add_post(
        self,
        page_id: int,
        external_id: str,
        url: str,
        posted_at: datetime,
        source: str,
        now: datetime,
        reported_by: int | None = None,
    ) -> bool:
        """Count a publication once (VK resends an event until it gets "ok"); False if it
        was counted before."""
        known = await self._session.scalar(
            select(PagePost.id).where(
                PagePost.page_id == page_id, PagePost.external_id == external_id
            )
        )
        if known is not None:
            return False
        self._session.add(
            PagePost(
                page_id=page_id,
                external_id=external_id,
                url=url,
                posted_at=posted_at,
                source=source,
                reported_by=reported_by,
                created_at=now,
            )
        )
        await self._session.flush()
        return True

    async def count_posts(self, page_id: int, start: datetime, end: datetime) -> int:
        return int(
            await self._session.scalar(
                select(func.count())
                .select_from(PagePost)
                .where(
                    PagePost.page_id == page_id,
                    PagePost.posted_at >= start,
                    PagePost.posted_at < end,
                )
            )
            or 0
        )

    async def posts(self, page_id: int, start: datetime, end: datetime) -> list[CountedPost]:
        rows = await self._session.execute(
            select(PagePost.url, PagePost.posted_at)
            .where(
                PagePost.page_id == page_id,
                PagePost.posted_at >= start,
                PagePost.posted_at < end,
            )
            .order_by(PagePost.posted_at)
        )
        return [CountedPost(url, at) for url, at in rows.all()]

    async def report_facts(
        self,
        posts: tuple[datetime, datetime],
        reports: tuple[datetime, datetime],
        org_code: str | None,
        policy: PagePolicy,
        now: datetime,
    ) -> list[PageFacts]:
        """The pages of a report's scope with their posts and created/deleted reports
        (db/page_facts.py)."""
        return await page_facts(self._session, *posts, *reports, org_code, policy, now)

    # --- duties ---------------------------------------------------------------------------

    async def add_duty(
        self,
        page_id: int,
        kind: DutyKind,
        *,
        change: str | None = None,
        subject_id: int | None = None,
        started_at: datetime | None = None,
    ) -> None:
        self._session.add(
            PageDuty(
                page_id=page_id,
                kind=kind,
                change=change,
                subject_id=subject_id,
                started_at=started_at,
                state="open",
                params={},
            )
        )
        await self._session.flush()

    async def unsettled_duties(self) -> list[DutyView]:
        rows = await self._session.scalars(
            select(PageDuty)
            .where(PageDuty.state == "open", PageDuty.due_at.is_(None))
            .order_by(PageDuty.id)
        )
        return [_duty(row) for row in rows]

    async def due_duties(self, now: datetime, limit: int = 200) -> list[DutyView]:
        rows = await self._session.scalars(
            select(PageDuty)
            .where(PageDuty.state == "open", PageDuty.next_alert_at <= now)
            .order_by(PageDuty.next_alert_at, PageDuty.id)
            .limit(limit)
        )
        return [_duty(row) for row in rows]

    async def open_duties(self) -> list[DutyView]:
        rows = await self._session.scalars(
            select(PageDuty).where(PageDuty.state == "open").order_by(PageDuty.id)
        )
        return [_duty(row) for row in rows]

    async def duty(self, duty_id: int) -> DutyView | None:
        row = await self._session.get(PageDuty, duty_id)
        return _duty(row) if row is not None else None

    async def set_duty_clock(
        self,
        duty_id: int,
        *,
        started_at: datetime | None = None,
        due_at: datetime | None = None,
        alert_stage: int | None = None,
        next_alert_at: datetime | None = None,
    ) -> None:
        row = await self._session.get(PageDuty, duty_id)
        if row is None:
            return
        if started_at is not None:
            row.started_at = started_at
        if due_at is not None:
            row.due_at = due_at
        if alert_stage is not None:
            row.alert_stage = alert_stage
        row.next_alert_at = next_alert_at
        await self._session.flush()

    async def complete_duty(self, duty_id: int, person_id: int, now: datetime) -> bool:
        """Mark done; False if it was done already (a second press)."""
        row = await self._session.get(PageDuty, duty_id, with_for_update=True)
        if row is None or row.state != "open":
            return False
        row.state, row.done_at, row.done_by, row.next_alert_at = "done", now, person_id, None
        await self._session.flush()
        return True

    async def record_departed_admins(self) -> int:
        """A removal duty for each authorised person of a page who is deactivated, however
        that happened (an import records them itself, db/pages_sync.py)."""
        return await departed_admins(self._session, await page_links(self._session))

    # --- notices sent once ----------------------------------------------------------------

    async def claim_notice(self, key: str, now: datetime) -> bool:
        """True the first time a key is claimed: the notice is to be written now, in the
        same transaction, so that a restart never sends it twice."""
        if await self._session.scalar(select(PageNotice.id).where(PageNotice.key == key)):
            return False
        self._session.add(PageNotice(key=key, created_at=now))
        await self._session.flush()
        return True

    # --- the blacklist --------------------------------------------------------------------

    async def blacklist_add(
        self, page_id: int, author_url: str, reason: str, by: int | None, now: datetime
    ) -> bool:
        known = await self._session.scalar(
            select(PageBlacklist.id).where(
                PageBlacklist.page_id == page_id, PageBlacklist.author_url == author_url
            )
        )
        if known is not None:
            return False
        self._session.add(
            PageBlacklist(
                page_id=page_id, author_url=author_url, reason=reason, added_by=by, added_at=now
            )
        )
        await self._session.flush()
        return True

    async def blacklisted_on(self, author_urls: Iterable[str]) -> set[int]:
        """The pages on which any of these spellings of an author is blacklisted."""
        urls = list(author_urls)
        if not urls:
            return set()
        rows = await self._session.scalars(
            select(PageBlacklist.page_id).where(PageBlacklist.author_url.in_(urls))
        )
        return set(rows)
