"""The official pages' service: the registry, publications counted, pages added and
removed, duties confirmed, the blacklist (docs/pages.md).

Who may do what: the curators, deputies and administrators act on every page, managers
read every page; a page's responsible official, its authorised persons and its
organisation's responsible officials act on (and read) that page only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.services.calendars import CalendarConfig, load_calendars
from db.directory_snapshot import DirectorySnapshot, PersonView
from db.pages_repository import DutyView, PageView
from db.uow import UnitOfWork
from workflow.calendar import WorkingCalendar
from workflow.pages import (
    DutyKind,
    Network,
    PageChange,
    PageKind,
    PagePolicy,
    belongs_to,
    duty_due,
    network_of,
    normalise_url,
    telegram_name_of,
    vk_group_of,
    week_bounds,
    week_start,
)
from workflow.roles import CURATOR_ROLES, Role

ACTING = frozenset({*CURATOR_ROLES, Role.ADMIN})
READING = frozenset({*ACTING, Role.MANAGER})


class PagesRefused(Exception):
    """A request the person cannot make; `code` names the text (pages.error.<code>)."""

    def __init__(self, code: str, **params: str | int) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class PageRow:
    page: PageView
    org_name: str
    responsible: str | None
    authorised: tuple[str, ...]
    quota: int
    count: int  # this week's publications, in the page's time zone
    week: date


@dataclass(frozen=True, slots=True)
class Posted:
    page: PageView
    counted: bool  # False: this link was counted before
    count: int
    quota: int


def may_act(person: PersonView, page: PageView) -> bool:
    return bool(
        person.roles & ACTING
        or page.responsible_id == person.id
        or person.id in page.admin_ids
        or (Role.RESPONSIBLE in person.roles and person.org_code == page.org_code)
    )


def may_read(person: PersonView, page: PageView) -> bool:
    return bool(person.roles & READING) or may_act(person, page)


def page_of_post(pages: list[PageView], url: str) -> PageView | None:
    """The registry's page a link lies on (an incident's post, a reported publication)."""
    return next((p for p in pages if belongs_to(url, p.url, p.vk_group_id)), None)


class PageService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        calendar_config: CalendarConfig,
        policy: PagePolicy,
        on_committed: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._config = calendar_config
        self.policy = policy
        self._on_committed = on_committed

    async def _calendar(self, uow: UnitOfWork, org_code: str) -> WorkingCalendar:
        calendars = await load_calendars(uow.directory, self._config)
        return cast(WorkingCalendar, calendars.for_org(org_code))

    # --- the registry ---------------------------------------------------------------------

    async def registry(self, person: PersonView) -> list[PageRow]:
        """The pages this person may see, with this week's count against the quota."""
        now = self._clock.now()
        async with UnitOfWork(self._sessions) as uow:
            directory = await uow.directory.snapshot()
            pages = [p for p in await uow.pages.pages() if may_read(person, p)]
            if not pages and not person.roles & READING and Role.RESPONSIBLE not in person.roles:
                raise PagesRefused("not_allowed")
            rows = []
            for page in pages:
                calendar = await self._calendar(uow, page.org_code)
                monday = week_start(now, calendar.tz)
                start, end = week_bounds(monday, calendar.tz)
                rows.append(
                    _row(
                        page,
                        directory,
                        self.policy.quota(page.kind, page.weekly_quota),
                        await uow.pages.count_posts(page.id, start, end),
                        monday,
                    )
                )
        return rows

    # --- publications ---------------------------------------------------------------------

    async def record_vk_post(self, group_id: int, post_id: int, posted_at: datetime) -> bool:
        """A community's own wall post (VK's wall_post_new, from_id = -group): counted for
        the page with that VK group id; False when no page has it, or it was counted."""
        url = f"https://vk.com/wall-{group_id}_{post_id}"
        async with UnitOfWork(self._sessions, write=True) as uow:
            known = await uow.pages.pages()
            page = next((p for p in known if p.vk_group_id == group_id), None) or page_of_post(
                known, url
            )
            if page is None:
                return False
            return await uow.pages.add_post(page.id, url, url, posted_at, "vk", self._clock.now())

    async def record_channel_post(
        self, chat_id: int, username: str | None, message_id: int, posted_at: datetime
    ) -> bool:
        """A Telegram channel's post (a channel_post update): counted for the page with that
        chat id, or whose t.me link names the channel."""
        name = (username or "").lower()
        if name:
            url = f"https://t.me/{name}/{message_id}"
        else:
            url = f"https://t.me/c/{str(chat_id).removeprefix('-100')}/{message_id}"
        async with UnitOfWork(self._sessions, write=True) as uow:
            page = next(
                (
                    p
                    for p in await uow.pages.pages()
                    if p.network is Network.TELEGRAM
                    and (
                        p.telegram_chat_id == chat_id or (name and telegram_name_of(p.url) == name)
                    )
                ),
                None,
            )
            if page is None:
                return False
            external = f"tg:{chat_id}:{message_id}"
            return await uow.pages.add_post(
                page.id, external, url, posted_at, "telegram", self._clock.now()
            )

    async def report_posted(self, person: PersonView, link: str) -> Posted:
        """`/posted LINK`: a publication reported by hand (OK, pages without a feed),
        checked against the registry's pages."""
        if network_of(link) is None or not link.strip().lower().startswith(("http://", "https://")):
            raise PagesRefused("bad_link")
        now = self._clock.now()
        url = normalise_url(link)
        async with UnitOfWork(self._sessions, write=True) as uow:
            pages = await uow.pages.pages()
            candidates = [p for p in pages if belongs_to(link, p.url, p.vk_group_id)]
            if not candidates:
                raise PagesRefused("no_page", link=link)
            page = next((p for p in candidates if may_act(person, p)), None)
            if page is None:
                raise PagesRefused("not_yours", page=candidates[0].url)
            counted = await uow.pages.add_post(
                page.id, url, url, now, "manual", now, reported_by=person.id
            )
            calendar = await self._calendar(uow, page.org_code)
            start, end = week_bounds(week_start(now, calendar.tz), calendar.tz)
            count = await uow.pages.count_posts(page.id, start, end)
        return Posted(page, counted, count, self.policy.quota(page.kind, page.weekly_quota))

    # --- the lifecycle --------------------------------------------------------------------

    async def add_page(
        self, person: PersonView, link: str, org_code: str, kind: str | None
    ) -> tuple[PageView, datetime, datetime]:
        """`/page_add`: the page joins the registry and the two report clocks start (001
        п.3.3.2, п.3.2.4); returns the page and the two due moments."""
        network = network_of(link)
        if network is None:
            raise PagesRefused("bad_link")
        try:
            page_kind = PageKind(kind) if kind else PageKind.ORGANISATION
        except ValueError:
            raise PagesRefused("bad_kind", kinds=", ".join(k.value for k in PageKind)) from None
        now = self._clock.now()
        url = normalise_url(link)
        async with UnitOfWork(self._sessions, write=True) as uow:
            directory = await uow.directory.snapshot()
            organisation = directory.organisation(org_code)
            if organisation is None:
                raise PagesRefused("no_org", org=org_code)
            if not (
                person.roles & ACTING
                or (Role.RESPONSIBLE in person.roles and person.org_code == org_code)
            ):
                raise PagesRefused("not_allowed_add", org=organisation.name)
            known = await uow.pages.page_by_url(url)
            if known is not None and known.active:
                raise PagesRefused("exists", page=url)
            responsible = person.id if person.org_code == org_code else None
            if responsible is None:
                heads = directory.people_with_roles([Role.RESPONSIBLE], org_code)
                responsible = heads[0].id if heads else None
            values = {
                "url": url,
                "network": network,
                "kind": page_kind,
                "vk_group_id": vk_group_of(url) if network is Network.VK else None,
                "responsible_id": responsible,
            }
            page_id = await uow.pages.add_page(values, organisation.id)
            dues = await self._start_reports(uow, page_id, org_code, PageChange.CREATED, now)
            page = await uow.pages.page(page_id)
            assert page is not None
        self._on_committed()
        return page, *dues

    async def remove_page(
        self, person: PersonView, link: str
    ) -> tuple[PageView, datetime, datetime]:
        """`/page_remove`: the page leaves the registry (its history stays) and the two
        report clocks start."""
        now = self._clock.now()
        async with UnitOfWork(self._sessions, write=True) as uow:
            page = await uow.pages.page_by_url(normalise_url(link))
            if page is None or not page.active:
                raise PagesRefused("no_page", link=link)
            if not may_act(person, page):
                raise PagesRefused("not_yours", page=page.url)
            await uow.pages.remove_page(page.id)
            dues = await self._start_reports(uow, page.id, page.org_code, PageChange.DELETED, now)
        self._on_committed()
        return page, *dues

    async def _start_reports(
        self, uow: UnitOfWork, page_id: int, org_code: str, change: PageChange, now: datetime
    ) -> tuple[datetime, datetime]:
        """Both duties start now; the pages job settles their clocks (the same moments as
        returned here) and sends the drafts."""
        calendar = await self._calendar(uow, org_code)
        dues = []
        for kind in (DutyKind.REPORT_SECTOR, DutyKind.REPORT_REGION):
            await uow.pages.add_duty(page_id, kind, change=change.value, started_at=now)
            dues.append(duty_due(calendar, now, kind, self.policy.lengths))
        return dues[0], dues[1]

    async def complete_duty(self, person: PersonView, duty_id: int) -> DutyView:
        """The responsible official confirms the report sent (or the administrator removed)."""
        now = self._clock.now()
        async with UnitOfWork(self._sessions, write=True) as uow:
            duty = await uow.pages.duty(duty_id)
            page = await uow.pages.page(duty.page_id) if duty else None
            if duty is None or page is None:
                raise PagesRefused("no_duty")
            if not may_act(person, page):
                raise PagesRefused("not_yours", page=page.url)
            if not await uow.pages.complete_duty(duty_id, person.id, now):
                raise PagesRefused("duty_done")
            if duty.kind is DutyKind.REMOVE_ADMIN and duty.subject_id is not None:
                await uow.pages.remove_admin(page.id, duty.subject_id)
        return duty

    # --- the blacklist --------------------------------------------------------------------

    async def blacklist(
        self, person: PersonView, link: str, author_url: str, reason: str
    ) -> PageView:
        """`/blacklist PAGE AUTHOR REASON`: the author is recorded as blocked on the page."""
        if not author_url.lower().startswith(("http://", "https://")):
            raise PagesRefused("bad_author")
        async with UnitOfWork(self._sessions, write=True) as uow:
            page = await uow.pages.page_by_url(normalise_url(link))
            if page is None or not page.active:
                raise PagesRefused("no_page", link=link)
            if not may_act(person, page):
                raise PagesRefused("not_yours", page=page.url)
            added = await uow.pages.blacklist_add(
                page.id, author_url.strip(), reason.strip(), person.id, self._clock.now()
            )
            if not added:
                raise PagesRefused("already_blocked", author=author_url)
        return page

    async def blacklist_incident_author(self, person: PersonView, incident_id: int) -> PageView:
        """The button offered with a possible п.21 case: block the incident's author on
        the page it was posted on."""
        async with UnitOfWork(self._sessions, write=True) as uow:
            incident = await uow.incidents.get(incident_id)
            if incident is None or not incident.post.author_url:
                raise PagesRefused("no_author")
            page = page_of_post(await uow.pages.pages(), incident.post.url)
            if page is None:
                raise PagesRefused("no_page", link=incident.post.url)
            if not may_act(person, page):
                raise PagesRefused("not_yours", page=page.url)
            added = await uow.pages.blacklist_add(
                page.id,
                incident.post.author_url,
                f"п.21, №{incident_id}",
                person.id,
                self._clock.now(),
            )
            if not added:
                raise PagesRefused("already_blocked", author=incident.post.author_url)
        return page


def _row(
    page: PageView, directory: DirectorySnapshot, quota: int, count: int, monday: date
) -> PageRow:
    org = directory.organisation(page.org_code)
    responsible = directory.person(page.responsible_id) if page.responsible_id else None
    admins = [directory.person(i) for i in page.admin_ids]
    return PageRow(
        page=page,
        org_name=org.name if org else page.org_code,
        responsible=responsible.full_name if responsible else None,
        authorised=tuple(p.full_name for p in admins if p is not None),
        quota=quota,
        count=count,
        week=monday,
    )
