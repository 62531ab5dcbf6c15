"""People's VK ids (п.10: an official's own post is no incident): read from the file, stored,
exported back, known to the snapshot; two people cannot share one."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.directory import DirectorySpec, check_directory, parse_directory
from db.engine import create_session_factory
from db.uow import UnitOfWork
from tests.directory.sync_helpers import export, sync, with_person


async def test_a_vk_id_is_stored_exported_and_known(
    engine: AsyncEngine, example: DirectorySpec
) -> None:
    key = example.people[0].key
    await sync(engine, with_person(example, key, vk_id=555001))

    text = await export(engine)
    assert "vk_id: 555001" in text
    assert next(p for p in parse_directory(text).people if p.key == key).vk_id == 555001
    async with UnitOfWork(create_session_factory(engine)) as uow:
        people = (await uow.directory.snapshot()).people.values()
    assert [p.key for p in people if p.vk_id == 555001] == [key]


def test_two_people_with_one_vk_id_are_refused(example: DirectorySpec) -> None:
    first, second = example.people[0].key, example.people[1].key
    spec = with_person(with_person(example, first, vk_id=7), second, vk_id=7)

    problems = check_directory(spec)

    assert any("duplicate vk_id 7" in problem for problem in problems), problems
