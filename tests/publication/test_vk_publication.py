"""п.16: the approved answer published by the bot as a VK comment, within VK's limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.publication import VkTokens
from db.models import OutboxRow
from db.models_publication import PublicationJob
from tests.publication.conftest import ANSWER, GROUP_ID, PHOTO, World, vk_comment_post
from tests.support.fake_vk import FakeVk
from tests.support.fake_vk.server import GROUP_TOKEN, USER_TOKEN
from workflow.model import DeadlineKind, DraftStatus, IncidentStatus, Post, Source


async def _jobs(world: World) -> list[PublicationJob]:
    async with world.sessions() as session:
        return list((await session.scalars(select(PublicationJob))).all())


async def _outbox(world: World, key: str) -> list[OutboxRow]:
    async with world.sessions() as session:
        rows = await session.scalars(select(OutboxRow).where(OutboxRow.key == key))
        return list(rows.all())


async def test_p16_approval_publishes_exactly_one_comment_and_answers_the_incident(
    world: World, fake_vk: FakeVk
) -> None:
    incident, draft_id = await world.approved(vk_comment_post(post_id=7, comment_id=42))
    # The job was written with the approval itself.
    [job] = await _jobs(world)
    assert (job.draft_id, job.state, job.network) == (draft_id, "pending", "vk_wall")

    await world.worker.run_once()
    await world.worker.run_once()  # nothing left to do: no second comment

    [call] = fake_vk.calls_of("wall.createComment")
    assert call.params["owner_id"] == f"-{GROUP_ID}"
    assert call.params["post_id"] == "7"
    assert call.params["reply_to_comment"] == "42"
    assert call.params["from_group"] == str(GROUP_ID)
    assert call.params["message"] == ANSWER
    assert call.params["guid"] == job.guid
    [comment] = fake_vk.comments
    stored = await world.incidents.get(incident.id)
    assert stored.status is IncidentStatus.ANSWERED
    draft = next(d for d in stored.drafts if d.id == draft_id)
    assert draft.status is DraftStatus.PUBLISHED
    assert draft.published_url == f"https://vk.com/wall-{GROUP_ID}_7?reply={comment.id}&thread=42"
    publish = next(d for d in stored.deadlines if d.kind is DeadlineKind.PUBLISH)
    assert not publish.running  # the п.16 clock stopped
    [done] = await _jobs(world)
    assert done.state == "done" and done.url == draft.published_url


async def test_p16_a_post_on_the_wall_gets_a_comment_without_reply_to(
    world: World, fake_vk: FakeVk
) -> None:
    post = Post(Source.VK, f"https://vk.com/wall-{GROUP_ID}_9", "Нет света", external_id="p9")
    await world.approved(post)
    await world.worker.run_once()
    [call] = fake_vk.calls_of("wall.createComment")
    assert call.params["post_id"] == "9" and "reply_to_comment" not in call.params


async def test_p16_retry_after_a_dropped_connection_posts_nothing_twice(
    world: World, fake_vk: FakeVk
) -> None:
    incident, _ = await world.approved(vk_comment_post())
    fake_vk.drop_next("wall.createComment")
    await world.worker.run_once()  # the comment is made, the answer lost
    [job] = await _jobs(world)
    assert job.state == "pending" and job.attempts == 1
    assert (await world.incidents.get(incident.id)).status is IncidentStatus.IN_WORK

    world.clock.advance(timedelta(seconds=3))
    await world.worker.run_once()
    first, second = fake_vk.calls_of("wall.createComment")
    assert first.params["guid"] == second.params["guid"]
    assert len(fake_vk.comments) == 1
    assert (await world.incidents.get(incident.id)).status is IncidentStatus.ANSWERED


async def test_p16_a_restart_after_kill_while_sending_repeats_with_the_same_guid(
    world: World, fake_vk: FakeVk
) -> None:
    """kill -9 between the request and its record: the job stays `sending`; the next
    worker repeats it by guid and VK gives back the comment already made."""
    incident, _ = await world.approved(vk_comment_post())
    [job] = await _jobs(world)
    async with world.sessions() as session, session.begin():
        row = await session.get(PublicationJob, job.id)
        assert row is not None
        row.state = "sending"
    fake_vk._comment("wall.createComment", {"guid": job.guid, "message": ANSWER})
    await world.worker.run_once()
    assert len(fake_vk.comments) == 1
    assert (await world.incidents.get(incident.id)).status is IncidentStatus.ANSWERED


@pytest.mark.parametrize("code", [6, 9])
async def test_p16_vk_rate_errors_slow_down_and_retry(
    world: World, fake_vk: FakeVk, code: int
) -> None:
    incident, _ = await world.approved(vk_comment_post())
    fake_vk.fail_next("wall.createComment", code)
    await world.worker.run_once()
    [job] = await _jobs(world)
    assert job.state == "pending" and job.error is not None and str(code) in job.error
    await world.worker.run_once()  # paused: VK asked to slow down
    assert len(fake_vk.calls_of("wall.createComment")) == 1
    world.clock.advance(timedelta(seconds=3))
    await world.worker.run_once()
    assert len(fake_vk.comments) == 1
    assert (await world.incidents.get(incident.id)).status is IncidentStatus.ANSWERED


@pytest.mark.parametrize("code", [222, 223, 15, 18, 30])
async def test_p16_permanent_vk_error_falls_back_to_publishing_by_hand(
    world: World, fake_vk: FakeVk, code: int
) -> None:
    incident, draft_id = await world.approved(vk_comment_post())
    fake_vk.fail_next("wall.createComment", code)
    await world.worker.run_once()
    world.clock.advance(timedelta(minutes=10))
    await world.worker.run_once()
    assert len(fake_vk.calls_of("wall.createComment")) == 1  # never repeated
    [job] = await _jobs(world)
    assert job.state == "manual" and job.error == f"vk_{code}"
    stored = await world.incidents.get(incident.id)
    assert next(d for d in stored.drafts if d.id == draft_id).status is DraftStatus.APPROVED
    [told] = await _outbox(world, "publication.failed")
    assert told.params["problem"] == f"vk_{code}"
    assert told.params["text"] == ANSWER
    assert told.chat_id == 2001  # the holder, roads_1, in private


async def test_p16_photos_without_a_user_token_are_left_to_the_publisher(
    world: World, fake_vk: FakeVk
) -> None:
    await world.approved(vk_comment_post(), media=(PHOTO,))
    worker = world.worker_with(VkTokens(group=GROUP_TOKEN), fetch_media=_photo_bytes)
    await worker.run_once()
    [call] = fake_vk.calls_of("wall.createComment")
    assert "attachments" not in call.params and call.params["message"] == ANSWER
    [told] = await _outbox(world, "publication.photos_by_hand")
    assert told.params["count"] == 1 and told.chat_id == 2001
    assert fake_vk.uploads == []


async def _photo_bytes(file_id: str) -> bytes:
    return f"JPEG of {file_id}".encode()


async def test_p16_photos_are_attached_with_the_optional_user_token(
    world: World, fake_vk: FakeVk
) -> None:
    incident, _ = await world.approved(vk_comment_post(), media=(PHOTO,))
    worker = world.worker_with(
        VkTokens(group=GROUP_TOKEN, user=USER_TOKEN), fetch_media=_photo_bytes
    )
    await worker.run_once()
    assert fake_vk.uploads == [f"JPEG of {PHOTO.file_id}".encode()]
    [upload] = fake_vk.calls_of("photos.getWallUploadServer")
    assert upload.params["access_token"] == USER_TOKEN
    [call] = fake_vk.calls_of("wall.createComment")
    assert call.params["access_token"] == GROUP_TOKEN
    assert call.params["attachments"].startswith(f"photo-{GROUP_ID}_")
    assert await _outbox(world, "publication.photos_by_hand") == []
    assert (await world.incidents.get(incident.id)).status is IncidentStatus.ANSWERED


async def test_p16_manual_organisation_gets_no_job(world: World, fake_vk: FakeVk) -> None:
    await world.set_publish("roads", "manual")
    await world.approved(vk_comment_post())
    assert await _jobs(world) == []
    await world.worker.run_once()
    assert fake_vk.calls == []


async def test_p16_a_board_topic_is_answered_with_the_user_token(
    world: World, fake_vk: FakeVk
) -> None:
    post = Post(
        Source.VK,
        f"https://vk.com/topic-{GROUP_ID}_55?post=3",
        "Когда уберут снег?",
        external_id=f"board_post_new:{GROUP_ID}:55_3",
    )
    incident, draft_id = await world.approved(post)
    await world.worker.run_once()
    [call] = fake_vk.calls_of("board.createComment")
    assert (call.params["group_id"], call.params["topic_id"]) == (str(GROUP_ID), "55")
    stored = await world.incidents.get(incident.id)
    url = next(d for d in stored.drafts if d.id == draft_id).published_url
    assert url == f"https://vk.com/topic-{GROUP_ID}_55?post={fake_vk.comments[0].id}"


async def test_p16_any_other_vk_error_is_not_repeated_either(world: World, fake_vk: FakeVk) -> None:
    await world.approved(vk_comment_post())
    fake_vk.fail_next("wall.createComment", 100)
    await world.worker.run_once()
    [job] = await _jobs(world)
    assert (job.state, job.error) == ("manual", "vk_other")
    [told] = await _outbox(world, "publication.failed")
    assert told.params["code"] == 100


async def test_p16_a_vk_server_that_keeps_failing_is_handed_over_after_the_attempts(
    world: World, fake_vk: FakeVk
) -> None:
    await world.approved(vk_comment_post())
    fake_vk.fail_next("wall.createComment", 6, times=20)
    worker = world.worker_with(VkTokens(group=GROUP_TOKEN), max_attempts=3)
    for _ in range(5):
        await worker.run_once()
        world.clock.advance(timedelta(minutes=5))
    assert len(fake_vk.calls_of("wall.createComment")) == 3
    [job] = await _jobs(world)
    assert (job.state, job.error) == ("manual", "unreachable")
