"""The bot's own publication (п.16) against a fake VK API server, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.publication import PublicationWorker, VkClient, VkTokens
from bot.services.incidents import IncidentService
from bot.services.publication import PublicationPlanner, PublicationService
from bot.services.publication_targets import PublicationConfig
from db.directory_cache import directory_changed
from db.models import Organisation
from tests.conftest import MOSCOW_OFFICE
from tests.support.directory_seed import SeededDirectory
from tests.support.fake_vk import FakeVk
from tests.support.fake_vk.server import GROUP_TOKEN, USER_TOKEN
from workflow.commands import Review, Route, SubmitDraft, Take
from workflow.model import Incident, Media, MediaKind, Post, Source
from workflow.policy import Policy

MSK = ZoneInfo("Europe/Moscow")
START = datetime(2026, 4, 29, 10, 0, tzinfo=MSK)  # a Wednesday, working hours
GROUP_ID = 1
ANSWER = "Здравствуйте! Яму заделают до 5 мая."
CONFIG = PublicationConfig(vk_group_id=GROUP_ID, vk_wall=True, vk_board=True)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def fake_vk() -> AsyncIterator[FakeVk]:
    fake = FakeVk()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@dataclass
class World:
    incidents: IncidentService
    publication: PublicationService
    worker: PublicationWorker
    people: SeededDirectory
    clock: ManualClock
    sessions: async_sessionmaker[AsyncSession]
    vk: VkClient

    def worker_with(self, tokens: VkTokens, **options: Any) -> PublicationWorker:
        return PublicationWorker(self.publication, self.clock, vk=self.vk, tokens=tokens, **options)

    def person(self, key: str) -> int:
        return self.people.people[key]

    async def approved(
        self, post: Post, *, text: str = ANSWER, media: tuple[Media, ...] = ()
    ) -> tuple[Incident, int]:
        """Detected, routed to roads, taken, drafted and approved; the draft's id."""
        incident = (await self.incidents.detect(post)).incident
        curator, executor = self.person("curator"), self.person("roads_1")
        await self.incidents.perform(incident.id, curator, Route(("roads",), "Дороги", "ул. Мира"))
        await self.incidents.perform(incident.id, executor, Take())
        outcome = await self.incidents.perform(
            incident.id, executor, SubmitDraft(text=text, media=media)
        )
        draft_id = outcome.incident.drafts[-1].id
        self.clock.advance(timedelta(minutes=5))
        await self.incidents.perform(incident.id, curator, Review(draft_id, approve=True))
        return await self.incidents.get(incident.id), draft_id

    async def set_publish(self, org_code: str, mode: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(Organisation).where(Organisation.code == org_code).values(publish=mode)
            )
            directory_changed(session)


@pytest.fixture
def policy() -> Policy:
    """The regulation's policy; a module overrides it (PUBLISHER=centre)."""
    return Policy()


@pytest.fixture
async def world(
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    people: SeededDirectory,
    fake_vk: FakeVk,
    policy: Policy,
) -> AsyncIterator[World]:
    planner = PublicationPlanner(CONFIG)
    incidents = IncidentService(sessions, clock, policy, MOSCOW_OFFICE, after_command=(planner,))
    publication = PublicationService(sessions, clock, incidents, CONFIG)
    vk = VkClient(fake_vk.url, "5.199", timeout=5)
    worker = PublicationWorker(
        publication,
        clock,
        vk=vk,
        tokens=VkTokens(group=GROUP_TOKEN, user=USER_TOKEN),
        base_delay=timedelta(seconds=2),
    )
    try:
        yield World(incidents, publication, worker, people, clock, sessions, vk)
    finally:
        await vk.close()


def vk_comment_post(post_id: int = 7, comment_id: int = 42) -> Post:
    """An incident from a comment under the community's post (as bot/intake/vk.py makes it)."""
    return Post(
        Source.VK,
        f"https://vk.com/wall-{GROUP_ID}_{post_id}?reply={comment_id}",
        "Яма на дороге у школы № 3",
        author_url="https://vk.com/id77",
        external_id=f"wall_reply_new:{GROUP_ID}:{post_id}_{comment_id}",
    )


PHOTO = Media(MediaKind.PHOTO, "AgACAgIAAxkBAAIB")
