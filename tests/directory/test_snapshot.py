"""The directory cache: loaded once, refreshed by every change made through the service."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.directory import load_directory
from bot.services.addressing import card_chats, resolve
from bot.services.directory import DirectoryChangeRefused, DirectoryService
from bot.services.incidents import IncidentService
from db.directory_cache import cache_for
from db.models import OutboxRow, Person
from db.uow import UnitOfWork
from tests.conftest import MOSCOW_OFFICE
from tests.support.directory_seed import add_stand_in, seed_directory
from workflow.commands import Route
from workflow.effects import Addressee
from workflow.model import Post, Source
from workflow.policy import Policy

MSK = ZoneInfo("Europe/Moscow")
START = datetime(2026, 4, 29, 10, 0, tzinfo=MSK)  # a Wednesday, office hours
EXAMPLE = Path(__file__).resolve().parents[2] / "directory.example.yaml"
POST = Post(Source.VK, "https://vk.com/wall-1_9", "Яма на дороге у школы № 3", external_id="9")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def directory(sessions, clock) -> DirectoryService:
    return DirectoryService(sessions)


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_the_snapshot_is_loaded_once_and_the_resolver_then_costs_no_sql(
    directory, sessions, engine, people, clock
) -> None:
    first = await directory.snapshot()
    assert await directory.snapshot() is first
    assert cache_for(engine).loads == 1
    incident = await IncidentService(sessions, clock, Policy(), MOSCOW_OFFICE).detect(POST)
    with statements(engine) as seen:
        async with UnitOfWork(sessions) as uow:
            audience = await card_chats(uow.directory, incident.incident, clock.now())
            curators = await resolve(uow.directory, Addressee.curators(), clock.now())
    assert {chat.chat_id for chat in audience} == {1001, 1002}
    assert {r.chat_id for r in curators} == {1001, 1002}
    assert seen == []  # not one statement: the snapshot answers
    assert cache_for(engine).loads == 1


async def test_bind_refreshes_the_snapshot(directory, people) -> None:
    assert (await directory.snapshot()).organisation_by_chat(-100900) is None
    assert await directory.bind_chat(-100900, "Парки-2", "parks") == "Управление благоустройства"
    bound = (await directory.snapshot()).organisation_by_chat(-100900)
    assert bound is not None and bound.code == "parks"
    assert -100900 in await directory_chats(directory, "parks")
    with pytest.raises(DirectoryChangeRefused, match="unknown_organisation"):
        await directory.bind_chat(-100901, None, "nowhere")


async def directory_chats(directory: DirectoryService, code: str) -> list[int]:
    return (await directory.snapshot()).organisation_chats(code)


async def test_away_and_back_refresh_who_is_away(directory, people, clock) -> None:
    roads_1, roads_2 = people.people["roads_1"], people.people["roads_2"]
    now = clock.now()
    assert (await directory.snapshot()).stands_in_for(roads_2, now) == frozenset()
    await directory.set_away(roads_1, now - timedelta(hours=1), now + timedelta(days=2), now)
    snapshot = await directory.snapshot()
    assert snapshot.away(now) == {roads_1}
    assert snapshot.away(now + timedelta(days=3)) == frozenset()  # evaluated at `at`, in memory
    assert snapshot.stands_in_for(roads_2, now) == {roads_1}
    assert await directory.set_back(roads_1, now) == 1
    assert (await directory.snapshot()).away(now) == frozenset()
    with pytest.raises(DirectoryChangeRefused, match="away_order"):
        await directory.set_away(roads_1, now, now, now)


async def test_an_import_refreshes_the_snapshot(directory, people) -> None:
    before = {org.code for org in await directory.organisations()}
    assert before == {"mcu", "roads", "parks"}
    spec = load_directory(EXAMPLE)
    await directory.import_spec(spec)
    after = {org.code for org in await directory.organisations()}
    assert {org.code for org in spec.organisations} <= after
    assert spec.centre.code in after
    keys = {p.key for p in (await directory.snapshot()).people.values() if p.active}
    assert keys == {p.key for p in spec.people if p.active}


async def test_an_invitation_accepted_and_a_first_contact_refresh_the_snapshot(
    directory, sessions, people
) -> None:
    async with sessions() as session, session.begin():
        session.add(Person(key="newcomer", username="new_one", full_name="Новичок", roles=[]))
    cache_for(session.bind).changed()  # written past the repository
    assert await directory.identify(7001, None) is None
    cache_for(session.bind).changed()  # the binding's own transaction loads the snapshot first
    found = await directory.identify(7001, "@New_One")
    assert found is not None and found.key == "newcomer" and found.telegram_id == 7001
    assert (await directory.snapshot()).person_by_telegram_id(7001) == found

    code = await directory.create_invitation("parks_1", START)
    registered = await directory.accept_invitation(code, 7002, START)
    assert registered.key == "parks_1" and registered.telegram_id == 7002
    assert (await directory.snapshot()).person_by_telegram_id(7002) == registered
    with pytest.raises(DirectoryChangeRefused, match="invitation_invalid"):
        await directory.accept_invitation(code, 7002, START)


async def test_a_write_rolled_back_leaves_no_stale_snapshot(directory, sessions, people) -> None:
    roads_1 = people.people["roads_1"]
    with pytest.raises(RuntimeError, match="changed my mind"):
        async with UnitOfWork(sessions) as uow:
            await uow.directory.add_absence(roads_1, START, None, START)
            assert (await uow.directory.snapshot()).away(START) == {roads_1}  # its own write
            raise RuntimeError("changed my mind")
    assert (await directory.snapshot()).away(START) == frozenset()


# --- п.8: the card reaches whoever acts for an absent executor ---------------------------------


@pytest.fixture
async def no_chats(sessions):
    """The directory without group chats: executors get cards in their private chats."""
    async with sessions() as session, session.begin():
        seeded = await seed_directory(session, with_chats=False)
        await add_stand_in(session, seeded.people["roads_2"], seeded.people["parks_1"])
    return seeded


async def _card_chats(sessions, incident_id: int) -> set[int]:
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxRow).where(OutboxRow.incident_id == incident_id, OutboxRow.kind == "card")
        )
        return {row.chat_id for row in rows}


async def _route_to_roads(service: IncidentService, people) -> int:
    incident_id = (await service.detect(POST)).incident.id
    await service.perform(
        incident_id,
        people.people["curator"],
        Route(org_codes=("roads",), topic="Дороги", location="центр"),
    )
    return incident_id


async def test_p8_a_stand_in_gets_the_card_of_an_incident_routed_while_the_executor_is_away(
    sessions, clock, directory, no_chats
) -> None:
    service = IncidentService(sessions, clock, Policy(), MOSCOW_OFFICE)
    stand_in = no_chats.telegram["parks_1"]  # roads_2's stand-in, not a roads executor
    await directory.set_away(
        no_chats.people["roads_2"],
        clock.now() - timedelta(hours=1),
        clock.now() + timedelta(days=1),
        clock.now(),
    )
    incident_id = await _route_to_roads(service, no_chats)
    chats = await _card_chats(sessions, incident_id)
    assert {no_chats.telegram["roads_1"], no_chats.telegram["roads_2"], stand_in} <= chats


async def test_p8_no_stand_in_gets_the_card_while_the_executor_is_at_work(
    sessions, clock, no_chats
) -> None:
    service = IncidentService(sessions, clock, Policy(), MOSCOW_OFFICE)
    incident_id = await _route_to_roads(service, no_chats)
    assert no_chats.telegram["parks_1"] not in await _card_chats(sessions, incident_id)
