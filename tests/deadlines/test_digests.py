"""Morning and weekly digests: when, to whom, the figures, and once only."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from bot.deadlines.digests import DIGEST_DAILY, DIGEST_WEEKLY, DigestSender, digest_slots
from db.models import Organisation, Person, PersonRole, StandIn
from db.outbox_repository import Priority
from tests.deadlines.conftest import CONFIG, msk, nsk, post
from tests.support.directory_seed import mark_away
from workflow.alerts import AlertPolicy
from workflow.calendar import WorkingCalendar
from workflow.commands import Route, Take
from workflow.roles import Role

CENTRE = WorkingCalendar.russian("Europe/Moscow")
NOVOSIBIRSK = WorkingCalendar.russian("Asia/Novosibirsk")
POLICY = AlertPolicy()
CENTRE_READERS = {1001, 1002, 4001}  # curator, deputy, manager
ROADS_BOSS = 2010  # a manager in the Novosibirsk office


def slots(moment, calendar=CENTRE, policy=POLICY):
    return [
        (s.key, s.marker, s.period_start, s.period_end)
        for s in digest_slots(moment, calendar, policy)
    ]


def test_daily_digest_on_working_mornings_with_the_previous_working_day() -> None:
    assert slots(msk(2026, 5, 20, 9, 0)) == [
        (DIGEST_DAILY, "2026-05-20", date(2026, 5, 19), date(2026, 5, 20))
    ]
    assert slots(msk(2026, 5, 20, 8, 59)) == []
    assert slots(msk(2026, 5, 20, 13, 0)) != []  # the bot came up late: still this morning
    assert slots(msk(2026, 5, 20, 13, 1)) == []  # past the catch-up window: skipped
    assert slots(msk(2026, 5, 23, 9, 0)) == []  # Saturday
    assert slots(msk(2026, 5, 1, 9, 0)) == []  # holiday


def test_monday_brings_the_weekly_digest_and_covers_the_weekend() -> None:
    assert slots(msk(2026, 5, 25, 9, 30)) == [
        (DIGEST_DAILY, "2026-05-25", date(2026, 5, 22), date(2026, 5, 25)),
        (DIGEST_WEEKLY, "2026-05-25", date(2026, 5, 18), date(2026, 5, 25)),
    ]
    assert [s[0] for s in slots(msk(2026, 5, 26, 9, 0))] == [DIGEST_DAILY]


def test_weekly_digest_moves_to_the_first_working_day_after_a_holiday_monday() -> None:
    assert slots(msk(2026, 5, 11, 9, 0)) == []  # Mon 11 May: Victory Day moved here
    assert slots(msk(2026, 5, 12, 9, 0)) == [
        (DIGEST_DAILY, "2026-05-12", date(2026, 5, 8), date(2026, 5, 12)),
        (DIGEST_WEEKLY, "2026-05-11", date(2026, 5, 4), date(2026, 5, 11)),
    ]
    # After the May Day break the first morning is Monday 4 May, the day before was 30 April.
    assert slots(msk(2026, 5, 4, 9, 0))[0][2] == date(2026, 4, 30)


def test_digest_time_is_the_readers_own() -> None:
    assert [s[0] for s in slots(nsk(2026, 5, 20, 9, 0), NOVOSIBIRSK)] == [DIGEST_DAILY]
    assert slots(msk(2026, 5, 20, 9, 1), NOVOSIBIRSK) == []  # 13:01 there: too late
    later = AlertPolicy(digest_time=None)
    assert slots(msk(2026, 5, 20, 9, 0), CENTRE, later) == []
    no_weekly = AlertPolicy(weekly_digest_weekday=None)
    assert [s[0] for s in slots(msk(2026, 5, 25, 9, 0), CENTRE, no_weekly)] == [DIGEST_DAILY]


@pytest.fixture
async def roads_boss(sessions, people) -> int:
    async with sessions() as session, session.begin():
        roads = (
            await session.execute(select(Organisation).where(Organisation.code == "roads"))
        ).scalar_one()
        person = Person(
            key="roads_boss",
            telegram_id=ROADS_BOSS,
            full_name="Начальник Управления",
            organisation_id=roads.id,
            active=True,
            roles=[PersonRole(role=Role.MANAGER)],
        )
        session.add(person)
        await session.flush()
        return person.id


async def _seed_two_days(service, clock, people) -> None:
    clock.set(msk(2026, 5, 19, 10, 0))  # A: never routed
    await service.detect(post(1))
    clock.set(msk(2026, 5, 19, 16, 0))  # B: routed and taken in time
    b = (await service.detect(post(2))).incident.id
    clock.set(msk(2026, 5, 19, 16, 10))
    await service.perform(
        b, people.people["curator"], Route(org_codes=("parks",), topic="Парки", location="сквер")
    )
    clock.set(msk(2026, 5, 19, 16, 20))
    await service.perform(b, people.people["parks_1"], Take())


async def test_morning_digest_figures_and_readers(
    service, digests, clock, people, roads_boss, outbox
) -> None:
    await _seed_two_days(service, clock, people)
    await outbox.new()
    clock.set(nsk(2026, 5, 20, 9, 0))  # 05:00 in Moscow: only Novosibirsk wakes up
    assert await digests.run() == 1
    (early,) = await outbox.new(prefix="digest.")
    assert early.chat_id == ROADS_BOSS and early.params["date"] == "2026-05-20"

    clock.set(msk(2026, 5, 20, 8, 30))  # C: detected before the office opens
    await service.detect(post(3))
    clock.set(msk(2026, 5, 20, 9, 0))
    assert await digests.run() == 3
    rows = await outbox.new(prefix="digest.")
    assert {r.chat_id for r in rows} == CENTRE_READERS
    assert {r.key for r in rows} == {DIGEST_DAILY}
    params = rows[0].params
    assert {k: v for k, v in params.items() if k != "digest_key"} == {
        "date": "2026-05-20",
        "period_start": "2026-05-19",
        "period_end": "2026-05-19",
        "open": 3,
        "due_today": 2,  # B at 10:00 and C at 12:00
        "overdue_answers": 1,  # A, due 13:00 yesterday
        "overdue_by_org": [{"org_code": "mcu", "overdue": 1}],  # A's routing: the centre's
        "met": 2,  # B routed and taken in time
        "missed": 2,  # A's routing and answer
        "detected": 2,
    }
    assert all(r.not_before == clock.now() for r in rows)
    assert {r.priority for r in rows} == {Priority.NOTICE}


async def test_digests_go_once_per_reader_per_day(
    service, digests, sessions, clock, people, outbox
) -> None:
    clock.set(msk(2026, 5, 20, 9, 0))
    assert await digests.run() == 3
    assert await digests.run() == 0
    clock.set(msk(2026, 5, 20, 9, 30))
    restarted = DigestSender(sessions, clock, CONFIG)  # no memory: the outbox decides
    assert await restarted.run() == 0
    clock.set(msk(2026, 5, 21, 9, 0))
    assert await restarted.run() == 3
    rows = await outbox.new(prefix="digest.")
    assert Counter((r.chat_id, r.params["date"]) for r in rows) == {
        (chat, day): 1 for chat in CENTRE_READERS for day in ("2026-05-20", "2026-05-21")
    }


async def test_weekly_digest_on_monday(service, digests, clock, people, outbox) -> None:
    await _seed_two_days(service, clock, people)
    clock.set(msk(2026, 5, 20, 8, 30))
    await service.detect(post(3))
    clock.set(msk(2026, 5, 23, 9, 0))  # Saturday
    assert await digests.run() == 0
    clock.set(msk(2026, 5, 25, 9, 0))
    assert await digests.run() == 6
    rows = await outbox.new(prefix="digest.")
    weekly = [r for r in rows if r.key == DIGEST_WEEKLY]
    assert {r.chat_id for r in weekly} == CENTRE_READERS
    assert weekly[0].params["week"] == "2026-05-25"
    assert (weekly[0].params["period_start"], weekly[0].params["period_end"]) == (
        "2026-05-18",
        "2026-05-24",
    )
    assert weekly[0].params["detected"] == 3
    assert weekly[0].params["open"] == 3
    assert await digests.run() == 0


async def test_concurrent_senders_write_one_digest_per_reader(
    sessions, clock, people, outbox
) -> None:
    clock.set(msk(2026, 5, 25, 9, 0))
    senders = [DigestSender(sessions, clock, CONFIG) for _ in range(3)]
    written = await asyncio.gather(*(s.run() for s in senders))
    assert sum(written) == 6
    rows = await outbox.new(prefix="digest.")
    assert Counter((r.chat_id, r.key) for r in rows) == {
        (chat, key): 1 for chat in CENTRE_READERS for key in (DIGEST_DAILY, DIGEST_WEEKLY)
    }


async def test_an_absent_readers_digest_reaches_the_stand_in_once(
    sessions, digests, clock, people, outbox
) -> None:
    admin = 5001  # stands in for the manager, reads no digest of their own
    async with sessions() as session, session.begin():
        session.add(
            StandIn(person_id=people.people["manager"], substitute_id=people.people["admin"])
        )
        # The deputy, a reader anyway, stands in for the curator: one digest, not two.
        session.add(
            StandIn(person_id=people.people["curator"], substitute_id=people.people["deputy"])
        )
        for key in ("manager", "curator"):
            await mark_away(session, people.people[key], msk(2026, 5, 19, 9, 0), None)
    clock.set(msk(2026, 5, 20, 9, 0))
    await digests.run()
    rows = await outbox.new(prefix="digest.")
    assert Counter(r.chat_id for r in rows) == {chat: 1 for chat in CENTRE_READERS | {admin}}
    assert {r.params["digest_key"] for r in rows} == {f"{DIGEST_DAILY}:2026-05-20"}
    assert await DigestSender(sessions, clock, CONFIG).run() == 0  # the outbox decides
