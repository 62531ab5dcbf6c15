"""The incident values a process keeps between units of work (db/incident_cache.py): never
behind the database, on SQLite and PostgreSQL. A second engine over the same database plays
another process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.services.incidents import IncidentService, StepRefused
from db.engine import create_engine, create_session_factory
from db.incident_cache import cache_for
from tests.conftest import MOSCOW_OFFICE
from workflow.commands import CloseNoAnswer, Reopen, Route, SetImportance
from workflow.errors import RefusalCode
from workflow.model import Importance, IncidentStatus, NoAnswerReason, Post, Source
from workflow.policy import Policy

MSK = ZoneInfo("Europe/Moscow")
POST = Post(Source.VK, "https://vk.com/wall-1_70", "Не горит фонарь у дома 5", external_id="70")
ROUTE = Route(org_codes=("roads",), topic="Освещение", location="ул. Мира, 5")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 5, 20, 10, 0, tzinfo=MSK))


@pytest.fixture
async def other_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def other(other_engine: AsyncEngine, clock: ManualClock) -> IncidentService:
    """The same database as `service`, through another engine: another process."""
    return IncidentService(create_session_factory(other_engine), clock, Policy(), MOSCOW_OFFICE)


async def test_a_step_taken_elsewhere_is_read_not_the_kept_value(service, other, people) -> None:
    incident_id = (await service.detect(POST)).incident.id
    assert (await service.get(incident_id)).importance is Importance.NORMAL  # kept now
    curator = people.people["curator"]
    await other.perform(incident_id, curator, SetImportance(Importance.HIGH))
    assert (await service.get(incident_id)).importance is Importance.HIGH


async def test_a_step_on_a_kept_value_gone_stale_loses_no_other_step(
    service, other, people
) -> None:
    incident_id = (await service.detect(POST)).incident.id
    curator = people.people["curator"]
    await service.get(incident_id)
    await other.perform(incident_id, curator, SetImportance(Importance.HIGH))
    # `service` still keeps version 1: its write conflicts and runs again on fresh data.
    outcome = await service.perform(incident_id, curator, ROUTE)
    assert outcome.incident.importance is Importance.HIGH
    stored = await other.get(incident_id)
    assert stored.importance is Importance.HIGH
    assert [a.org_code for a in stored.assignments] == ["roads"]


async def test_a_refusal_is_judged_on_the_database_not_on_the_kept_value(
    service, other, people
) -> None:
    incident_id = (await service.detect(POST)).incident.id
    curator = people.people["curator"]
    await service.perform(incident_id, curator, SetImportance(Importance.HIGH))
    await other.perform(incident_id, curator, SetImportance(Importance.NORMAL))
    # Kept: "already high"; in the database it is normal again, so the step applies.
    outcome = await service.perform(incident_id, curator, SetImportance(Importance.HIGH))
    assert outcome.incident.importance is Importance.HIGH
    with pytest.raises(StepRefused, match="already high") as refused:
        await other.perform(incident_id, curator, SetImportance(Importance.HIGH))
    assert refused.value.code is RefusalCode.NO_CHANGE


async def test_the_posts_text_edited_without_a_step_is_read(service, other_engine, people) -> None:
    incident_id = (await service.detect(POST)).incident.id
    await service.get(incident_id)
    async with other_engine.begin() as connection:  # as a VK edit does: no new version
        await connection.execute(
            text("UPDATE incidents SET text = :text WHERE id = :id"),
            {"text": "Не горит фонарь у дома 5, второй день", "id": incident_id},
        )
    assert (await service.get(incident_id)).post.text.endswith("второй день")


async def test_a_step_rolled_back_is_not_kept(service, engine, sessions, clock, people) -> None:
    incident_id = (await service.detect(POST)).incident.id

    async def failing_hook(*args: object) -> None:
        raise RuntimeError("the publication job could not be written")

    failing = IncidentService(
        sessions, clock, Policy(), MOSCOW_OFFICE, after_command=[failing_hook]
    )
    with pytest.raises(RuntimeError, match="publication job"):
        await failing.perform(incident_id, people.people["curator"], ROUTE)
    kept = cache_for(engine.sync_engine).get(incident_id)
    assert kept is None or kept.incident.version == 1
    assert (await service.get(incident_id)).assignments == ()


async def test_a_check_at_the_press_refuses_only_on_what_the_database_holds(
    service, other, people
) -> None:
    incident_id = (await service.detect(POST)).incident.id
    curator = people.people["curator"]
    await service.perform(incident_id, curator, CloseNoAnswer(NoAnswerReason.OBSCENE))
    await other.perform(incident_id, curator, Reopen("закрыто по ошибке"))
    # Kept: closed, so «Повышенная важность» would be refused; the database says open.
    checked = await service.check_press(incident_id, curator, SetImportance)
    assert checked.status is not IncidentStatus.CLOSED_NO_ANSWER
    await service.perform(incident_id, curator, CloseNoAnswer(NoAnswerReason.OBSCENE))
    # `other` still keeps it open: its check lets the press on, the step itself refuses.
    await other.check_press(incident_id, curator, SetImportance)
    with pytest.raises(StepRefused, match="incident is closed_no_answer") as refused:
        await other.perform(incident_id, curator, SetImportance(Importance.HIGH))
    assert refused.value.code is RefusalCode.CLOSED


async def test_a_press_reads_no_incident_this_process_keeps(service, engine, people) -> None:
    incident_id = (await service.detect(POST)).incident.id
    curator = people.people["curator"]
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()).lower())

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        await service.check_press(incident_id, curator, SetImportance)
        await service.perform(incident_id, curator, SetImportance(Importance.HIGH))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    tables = ("from incidents", "from assignments", "from deadlines", "from drafts")
    reads = [s for s in seen if s.startswith("select") and any(t in s for t in tables)]
    assert reads == []
    assert any(s.startswith("update incidents") for s in seen)  # the step was written
