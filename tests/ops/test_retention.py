"""Keeping the data: sent outbox rows and old repeated posts are pruned by the retention
settings; what still reads old rows (the digests' once-a-day check) keeps working."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from bot.clock import ManualClock
from bot.deadlines.digests import DigestSender
from bot.housekeeping import Housekeeper, RetentionPolicy
from bot.settings import load_settings
from db.intake_repository import IntakeRepository
from db.models import DuplicatePost, IncidentRow, OutboxRow
from db.outbox_repository import OutboxRepository, OutgoingMessage
from tests.conftest import MOSCOW_OFFICE
from workflow.model import IncidentStatus, Post, Source

MSK = ZoneInfo("Europe/Moscow")
START = datetime(2026, 5, 20, 9, 0, tzinfo=MSK)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


async def _write(sessions, now: datetime, count: int, key: str = "incident.notice") -> list[int]:
    async with sessions() as session, session.begin():
        return await OutboxRepository(session).add(
            [
                OutgoingMessage(chat_id=500 + n, key=key, locale="ru", not_before=now)
                for n in range(count)
            ],
            now,
        )


async def _send(sessions, ids: list[int], now: datetime) -> None:
    async with sessions() as session, session.begin():
        await OutboxRepository(session).mark_sent(ids, 1, now)


async def _states(sessions) -> dict[int, str]:
    async with sessions() as session:
        return dict((await session.execute(select(OutboxRow.id, OutboxRow.state))).all())


async def test_sent_rows_past_retention_go_pending_failed_and_recent_ones_stay(
    sessions, clock
) -> None:
    old_sent = await _write(sessions, START, 5)
    await _send(sessions, old_sent, START)
    pending = await _write(sessions, START, 1)
    failed = await _write(sessions, START, 1)
    async with sessions() as session, session.begin():
        await OutboxRepository(session).give_up(failed, "Forbidden: bot was blocked")
    clock.advance(timedelta(days=31))
    recent = await _write(sessions, clock.now(), 1)
    await _send(sessions, recent, clock.now())

    keeper = Housekeeper(sessions, clock, RetentionPolicy(outbox=timedelta(days=30)), batch=2)
    pruned = await keeper.prune()

    assert pruned.outbox == 5  # in three batches of at most two
    assert await _states(sessions) == {
        pending[0]: "pending",
        failed[0]: "failed",
        recent[0]: "sent",
    }
    assert (await keeper.prune()).outbox == 0


async def test_retention_off_keeps_every_row(sessions, clock) -> None:
    ids = await _write(sessions, START, 2)
    await _send(sessions, ids, START)
    clock.advance(timedelta(days=3650))
    assert (await Housekeeper(sessions, clock, RetentionPolicy(None, None)).prune()).outbox == 0
    assert set(await _states(sessions)) == set(ids)


async def test_digest_once_a_day_check_survives_pruning(sessions, clock, people) -> None:
    digests = DigestSender(sessions, clock, MOSCOW_OFFICE)
    assert await digests.run() == 3  # curator, deputy, manager
    async with sessions() as session, session.begin():
        digest_ids = list(await session.scalars(select(OutboxRow.id)))
    await _send(sessions, digest_ids, clock.now())
    other = await _write(sessions, clock.now(), 2)
    await _send(sessions, other, clock.now())

    clock.advance(timedelta(hours=2))  # still the morning's catch-up window
    keeper = Housekeeper(sessions, clock, RetentionPolicy(outbox=timedelta(minutes=1)))
    assert (await keeper.prune()).outbox == 2  # the digests' rows are still read: kept

    restarted = DigestSender(sessions, clock, MOSCOW_OFFICE)  # no memory: the outbox decides
    assert await restarted.run() == 0
    assert set(await _states(sessions)) == set(digest_ids)

    clock.advance(timedelta(days=10))  # past the digests' look-back: nothing reads them now
    assert (await keeper.prune()).outbox >= 3


async def test_repeats_of_incidents_closed_past_retention_are_pruned_the_rest_kept(
    sessions, clock, service, people
) -> None:
    incidents = [
        (
            await service.detect(Post(Source.VK, f"https://vk.com/wall-1_{n}", f"Яма {n}"))
        ).incident.id
        for n in (1, 2, 3)
    ]
    open_one, closed_long_ago, closed_lately = incidents
    async with sessions() as session, session.begin():
        intake = IntakeRepository(session)
        for incident in incidents:
            repeat = Post(Source.VK, f"https://vk.com/wall-1_{incident}0", "Повтор")
            await intake.attach(incident, repeat, clock.now())
        for incident, closed_at in (
            (closed_long_ago, clock.now()),
            (closed_lately, clock.now() + timedelta(days=100)),
        ):
            await session.execute(
                update(IncidentRow)
                .where(IncidentRow.id == incident)
                .values(status=IncidentStatus.ANSWERED, updated_at=closed_at)
            )
    keeper = Housekeeper(sessions, clock, RetentionPolicy(outbox=None, intake=timedelta(days=180)))
    clock.advance(timedelta(days=179))
    assert (await keeper.prune()).intake == 0
    clock.advance(timedelta(days=2))
    assert (await keeper.prune()).intake == 1
    async with sessions() as session:
        left = await session.scalars(select(DuplicatePost.incident_id).order_by(DuplicatePost.id))
        assert list(left) == [open_one, closed_lately]
        assert await session.scalar(select(func.count()).select_from(IncidentRow)) == 3


def test_retention_settings_accept_durations_and_off() -> None:
    settings = load_settings(retention_outbox="P7D", retention_intake="off")
    assert settings.retention_policy() == RetentionPolicy(timedelta(days=7), None)
    with pytest.raises(Exception, match="RETENTION_OUTBOX"):
        load_settings(retention_outbox="a week")
