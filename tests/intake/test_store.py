"""The triage hook inside the caller's transaction, and the intake service without HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.intake.store import IntakeService, Outcome, TriageHook, read_view
from bot.intake.triage import Hints, TriageRules
from db.models import DuplicatePost, IncidentRow
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


async def test_hook_attaches_inside_the_callers_transaction(
    intake, sessions, clock, people
) -> None:
    first = await intake.submit(post(1))
    hook = TriageHook(intake.rules, Hints())
    now = clock.now()
    with pytest.raises(Abort):
        async with sessions() as session, session.begin():
            found = await hook.duplicate_of(session, post(2, TEXT + "!"), now, now)
            assert found == first.view.incident.id == hook.attached_to
            raise Abort  # the caller's transaction fails: the attachment goes with it
    assert (await counts(sessions))["duplicates"] == 0
    async with sessions() as session, session.begin():
        await hook.duplicate_of(session, post(2, TEXT + "!"), now, now)
    assert (await counts(sessions))["duplicates"] == 1


async def test_hook_annotates_the_incident_row(intake, sessions, clock, people) -> None:
    created = await intake.submit(post(1, "Спасибо за работу"))
    hook = TriageHook(intake.rules, Hints(("possible_p21", "threat"), "Дороги", ("roads",)))
    async with sessions() as session, session.begin():
        await hook.annotate(session, created.view.incident.id, post(1), clock.now())
    async with sessions() as session:
        view = await read_view(session, created.view.incident.id)
        row = await session.get(IncidentRow, created.view.incident.id)
    assert view is not None and row is not None
    assert (view.flags, view.suggested_topic, view.suggested_orgs) == (
        ("possible_p21", "threat"),
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
