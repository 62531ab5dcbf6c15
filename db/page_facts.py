"""The official pages' facts of a report period (issue 14 item 6): each page of the scope
with its publications around the period's weeks, its creation and deletion moments and the
created/deleted reports started in the period. Three statements; workflow/page_figures.py
counts them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Organisation
from db.models_pages import Page, PageDuty, PagePost
from workflow.page_figures import LifecycleReport, PageFacts
from workflow.pages import DutyKind, PageChange, PagePolicy

REPORT_KINDS = (DutyKind.REPORT_SECTOR, DutyKind.REPORT_REGION)


async def page_facts(
    session: AsyncSession,
    posts_from: datetime,
    posts_to: datetime,
    reports_from: datetime,
    reports_to: datetime,
    org_code: str | None,
    policy: PagePolicy,
    now: datetime,
) -> list[PageFacts]:
    """The pages of one organisation (or all), active or deleted; posts in
    posts_from…posts_to, lifecycle reports started in reports_from…reports_to."""
    query = select(Page, Organisation.code).join(
        Organisation, Organisation.id == Page.organisation_id
    )
    if org_code is not None:
        query = query.where(Organisation.code == org_code)
    pages = (await session.execute(query.order_by(Page.id))).all()
    if not pages:
        return []
    ids = [page.id for page, _ in pages]
    posts: dict[int, list[datetime]] = {}
    for page_id, posted_at in await session.execute(
        select(PagePost.page_id, PagePost.posted_at).where(
            PagePost.page_id.in_(ids),
            PagePost.posted_at >= posts_from,
            PagePost.posted_at < posts_to,
        )
    ):
        posts.setdefault(page_id, []).append(posted_at)
    duties = await session.scalars(
        select(PageDuty)
        .where(PageDuty.page_id.in_(ids), PageDuty.kind.in_(REPORT_KINDS))
        .order_by(PageDuty.id)
    )
    created: dict[int, datetime] = {}
    deleted: dict[int, datetime] = {}
    reports: dict[int, list[LifecycleReport]] = {}
    for duty in duties:
        # A clock not settled yet (the scheduler settles it within a minute) starts now.
        started = duty.started_at or now
        if duty.kind is DutyKind.REPORT_SECTOR:  # one change, two reports: count it once
            moments = created if duty.change == PageChange.CREATED.value else deleted
            moments[duty.page_id] = max(started, moments.get(duty.page_id, started))
        if duty.started_at is not None and reports_from <= duty.started_at < reports_to:
            reports.setdefault(duty.page_id, []).append(
                LifecycleReport(
                    duty.kind.value, duty.change, duty.started_at, duty.due_at, duty.done_at
                )
            )
    facts = []
    for page, code in pages:
        born = created.get(page.id)
        died = None if page.active else deleted.get(page.id)
        facts.append(
            PageFacts(
                page_id=page.id,
                org_code=code,
                url=page.url,
                title=page.title,
                network=page.network.value,
                kind=page.kind.value,
                quota=policy.quota(page.kind, page.weekly_quota),
                posts=tuple(sorted(posts.get(page.id, []))),
                created_at=born,
                deleted_at=died,
                active=page.active,
                reports=tuple(reports.get(page.id, [])),
            )
        )
    return facts
