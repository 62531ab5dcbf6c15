"""The one intake pipeline without HTTP: its triage inside detection's unit of work, its
outcomes, and the same duplicate check and п.21 hint for every source."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.intake.dedupe import IntakeTriage
from bot.intake.rules import TriageRulesCache
from bot.intake.service import IntakeService, InvalidPost, Outcome
from bot.intake.triage import POSSIBLE_P21, THREAT, TriageRules
from db.directory_cache import cache_for
from db.models import DuplicatePost, IncidentRow
from db.uow import UnitOfWork
from tests.intake.conftest import TOPICS, counts
from workflow.model import Importance, Post, Source


class Abort(Exception):
    pass


TEXT = "Во дворе дома 5 по улице Мира третий день не вывозят мусор"


def post(number: int, text: str = TEXT, **changes) -> Post:
    values = {
        "source": Source.VK,
        "url": f"https://vk.com/wall-777_{number}",
        "text": text,
        "author_url": "https://vk.com/id1",
        "external_id": f"e{number}",
    }
    values.update(changes)
    return Post(**values)


async def test_triage_attaches_inside_the_detection_unit_of_work(
    intake, sessions, clock, people
) -> None:
    first = await intake.submit(post(1))
    triage = IntakeTriage(intake.rules)
    now = clock.now()
    with pytest.raises(Abort):
        async with UnitOfWork(sessions) as uow:
            found = await triage.known(uow, post(2, TEXT + "!"), now, now)
            assert found == first.incident_id and triage.attached
            raise Abort  # the unit of work fails: the attachment goes with it
    assert (await counts(sessions))["duplicates"] == 0
    async with UnitOfWork(sessions) as uow:
        await triage.known(uow, post(2, TEXT + "!"), now, now)
    assert (await counts(sessions))["duplicates"] == 1


async def test_triage_writes_hints_on_the_opened_incident(intake, sessions, clock, people) -> None:
    created = await intake.submit(post(1, "Спасибо за работу"))
    assert created.view.flags == ()
    threat = post(1, "Яма на дороге, починят или я найду вас и подожгу контору")
    incident = created.view.incident
    triage = IntakeTriage(intake.rules)
    async with UnitOfWork(sessions) as uow:
        await triage.opened(uow, replace(incident, post=threat), clock.now())
    view = await intake.view(incident.id)
    async with sessions() as session:
        row = await session.get(IncidentRow, incident.id)
    assert view is not None and row is not None
    assert (view.flags, view.suggested_topic, view.suggested_orgs) == (
        (POSSIBLE_P21, THREAT),
        "Дороги",
        ("roads",),
    )
    assert row.version == 1  # hints are not a workflow step


async def test_submit_reports_created_existing_and_duplicate(intake, sessions, people) -> None:
    created = await intake.submit(post(1), importance=Importance.HIGH)
    existing = await intake.submit(post(1))
    duplicate = await intake.submit(post(2, TEXT.lower()))
    assert [created.outcome, existing.outcome, duplicate.outcome] == [
        Outcome.CREATED,
        Outcome.EXISTING,
        Outcome.DUPLICATE,
    ]
    assert created.created and not existing.created and not duplicate.created
    ids = {s.view.incident.id for s in (created, existing, duplicate)}
    assert len(ids) == 1
    assert duplicate.view.duplicates == 1
    assert created.view.suggested_topic == "Благоустройство"  # "мусор"


async def test_author_known_by_name_only(intake, sessions, people) -> None:
    by_name = {"author_url": None, "author_name": "Мария", "source": Source.OK}
    first = await intake.submit(post(1, **by_name))
    same = await intake.submit(post(2, **by_name))
    other_network = await intake.submit(post(3, **{**by_name, "source": Source.TELEGRAM}))
    anonymous = await intake.submit(post(4, author_url=None))
    again_anonymous = await intake.submit(post(5, author_url=None))
    assert same.outcome is Outcome.DUPLICATE and same.view.incident.id == first.view.incident.id
    assert other_network.outcome is Outcome.CREATED
    # Without any author there is no "same author": both open incidents.
    assert anonymous.outcome is again_anonymous.outcome is Outcome.CREATED


async def test_duplicate_window_is_configurable(service, sessions, clock, people) -> None:
    intake = IntakeService(
        service, sessions, clock, TriageRules(topics=TOPICS, duplicate_window_hours=1)
    )
    await intake.submit(post(1))
    clock.advance(timedelta(minutes=90))
    assert (await intake.submit(post(2))).outcome is Outcome.CREATED


async def test_photo_without_text_is_never_a_duplicate(intake, people) -> None:
    photo = {"text": "", "attachments": ("https://vk.com/photo1_2",)}
    await intake.submit(post(1, **photo))
    assert (await intake.submit(post(2, **photo))).outcome is Outcome.CREATED


@pytest.mark.parametrize(("ratio", "expected"), [(0.9, Outcome.DUPLICATE), (0.95, Outcome.CREATED)])
async def test_duplicate_ratio_is_configurable(
    service, sessions, clock, people, ratio, expected
) -> None:
    intake = IntakeService(service, sessions, clock, TriageRules(duplicate_ratio=ratio))
    await intake.submit(post(1))
    # One word changed: difflib's ratio is 0.92.
    changed = TEXT.replace("третий", "четвертый")
    assert (await intake.submit(post(2, changed))).outcome is expected
    async with sessions() as session:
        attached = (await session.execute(select(DuplicatePost))).scalars().all()
    assert len(attached) == (1 if expected is Outcome.DUPLICATE else 0)


# --- every source the same ----------------------------------------------------------------

CITIZEN = "Пётр Сидоров"
COMPLAINT = "Третий день не вывозят мусор во дворе дома 5 по улице Мира"
THREAT_TEXT = "Если не уберёте мусор, найду вас и подожгу вашу контору"


def api_post(number: int, text: str) -> Post:
    """As the HTTP API parses a monitoring system's post."""
    return Post(
        Source.VK,
        f"https://vk.com/wall-777_{number}",
        text,
        author_name=CITIZEN,
        author_url="https://vk.com/id77",
        external_id=f"mon-{number}",
    )


def comment_post(number: int, text: str) -> Post:
    """As handlers/intake.py parses a comment in the official channel's discussion group."""
    return Post(
        Source.TELEGRAM,
        f"https://t.me/c/9000/{number}",
        text,
        author_name=CITIZEN,
        external_id=f"tg:-1009000:{number}",
    )


def forwarded_post(number: int, text: str) -> Post:
    """As handlers/intake.py parses a channel post a curator forwards to the bot."""
    return Post(Source.TELEGRAM, f"https://t.me/gorod_n/{number}", text, author_name="Город N")


@pytest.mark.parametrize("make", [api_post, comment_post, forwarded_post])
async def test_every_source_gets_the_duplicate_check(intake, sessions, people, make) -> None:
    first = await intake.submit(make(1, COMPLAINT))
    again = await intake.submit(make(2, COMPLAINT + "!!"))
    assert (first.outcome, again.outcome) == (Outcome.CREATED, Outcome.DUPLICATE)
    assert again.incident_id == first.incident_id and again.view.duplicates == 1
    assert (await counts(sessions))["incidents"] == 1


@pytest.mark.parametrize("make", [api_post, comment_post, forwarded_post])
async def test_every_source_gets_the_p21_hint(intake, sessions, people, make) -> None:
    submitted = await intake.submit(make(1, THREAT_TEXT))
    assert submitted.view.flags == (POSSIBLE_P21, THREAT)
    async with sessions() as session:
        row = await session.get(IncidentRow, submitted.incident_id)
    assert row is not None and row.flags == [POSSIBLE_P21, THREAT]  # what the card reads


async def test_forward_by_a_curator_repeats_a_comment(intake, people) -> None:
    """By hand (`/new`, a forward) or by monitoring: the same checks, whoever registers."""
    first = await intake.submit(comment_post(1, COMPLAINT))
    by_hand = await intake.submit(comment_post(2, COMPLAINT), by_person_id=people.people["curator"])
    assert by_hand.outcome is Outcome.DUPLICATE and by_hand.incident_id == first.incident_id


async def test_a_post_no_adapter_should_produce_is_refused(intake, people) -> None:
    with pytest.raises(InvalidPost, match="needs a URL"):
        await intake.submit(post(1, url=" "))
    with pytest.raises(InvalidPost, match="text or an attachment"):
        await intake.submit(post(1, text="  "))


async def test_over_long_text_is_cut_not_refused(intake, people) -> None:
    submitted = await intake.submit(post(1, text="я" * 60_000))
    assert len(submitted.view.incident.post.text) == 50_000


# --- the rules' lifetime ------------------------------------------------------------------


def counting_intake(service, sessions, clock) -> tuple[IntakeService, list[int]]:
    """An intake whose topic rules are loaded from the directory, each load recorded."""
    loaded: list[int] = []

    async def load(uow: UnitOfWork) -> TriageRules:
        loaded.append(len(await uow.directory.organisations()))
        return TriageRules(topics=TOPICS)

    return IntakeService(service, sessions, clock, TriageRulesCache(load)), loaded


async def test_rules_are_loaded_once_and_again_after_refresh(
    service, sessions, clock, people
) -> None:
    intake, loaded = counting_intake(service, sessions, clock)
    for number in range(1, 4):
        await intake.submit(post(number, f"Яма на дороге номер {number}", author_url=None))
    assert len(loaded) == 1  # not per call
    intake.refresh()
    submitted = await intake.submit(post(9, "Сломан асфальт у школы", author_url=None))
    assert len(loaded) == 2 and submitted.view.suggested_topic == "Дороги"


async def test_warm_up_loads_the_directory_and_the_rules_before_the_first_post(
    service, sessions, clock, people
) -> None:
    intake, loaded = counting_intake(service, sessions, clock)
    cache = cache_for(sessions.kw["bind"])
    cache.changed()  # as after a restart: nothing loaded yet
    loads = cache.loads
    await intake.warm_up()
    assert len(loaded) == 1 and cache.loads == loads + 1
    submitted = await intake.submit(post(1, "Яма на дороге у школы", author_url=None))
    # The first post found everything loaded: a burst's first posts do not load it again.
    assert len(loaded) == 1 and cache.loads == loads + 1
    assert submitted.view.suggested_topic == "Дороги"


# --- a burst on SQLite --------------------------------------------------------------------


class LockedOnce:
    """A triage whose first look-up meets SQLite's "database is locked" (a stale snapshot)."""

    def __init__(self) -> None:
        self.calls = 0

    async def known(self, uow: UnitOfWork, post: Post, detected_at, now) -> int | None:
        self.calls += 1
        if self.calls == 1:
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
        return None

    async def opened(self, uow: UnitOfWork, incident, now) -> None:
        return None


async def test_detection_retries_a_write_conflict(service, sessions, people) -> None:
    triage = LockedOnce()
    detected = await service.detect(post(1), triage=triage)
    assert detected.created and triage.calls == 2
    assert (await counts(sessions))["incidents"] == 1


async def test_detection_does_not_retry_other_database_errors(service, people) -> None:
    class Broken(LockedOnce):
        async def known(self, uow: UnitOfWork, post: Post, detected_at, now) -> int | None:
            raise OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))

    with pytest.raises(OperationalError, match="no such table"):
        await service.detect(post(1), triage=Broken())
