"""Control characters in what comes in: one rule for every source (bot/intake/clean.py).

NUL and the other C0 codes but tab, line feed and carriage return are stripped from every
text of a post, by the pipeline every source goes through (and by the API's schema before
its checks, so that a field they leave empty is refused with a 422 naming it).
"""

from __future__ import annotations

import logging

import pytest

from bot.intake.clean import without_control_chars
from tests.intake.api_helpers import NOTHING, post
from tests.intake.conftest import counts, incident_rows, payload
from tests.intake.test_vk import comment, event, send
from workflow.model import Post, Source

DIRTY = "Яма\x00 у школы\x07\x1b[31m\r\n\tтретий\x0b день\x1f"
CLEAN = "Яма у школы[31m\r\n\tтретий день"


def test_the_rule_keeps_tabs_and_line_breaks_and_drops_the_other_c0_codes() -> None:
    every_c0 = "".join(chr(code) for code in range(32))
    assert without_control_chars(every_c0) == "\t\n\r"
    assert without_control_chars(DIRTY) == CLEAN
    assert without_control_chars("обычный текст \x7f ✓") == "обычный текст \x7f ✓"


async def test_api_post_with_nul_is_stored_without_it(client, sessions) -> None:
    body = payload(
        text=DIRTY,
        url="https://vk.com/wall-777_12?reply=45\x00",
        author_name="Иван\x00 Петров",
        attachments=["https://vk.com/photo12345_456239017\x01"],
        external_id="mon\x00-1",
        topic_hint="Дороги\x00",
    )
    response = await post(client, body)
    assert response.status == 201, await response.text()
    answer = await response.json()
    assert answer["url"] == "https://vk.com/wall-777_12?reply=45"
    assert answer["external_id"] == "mon-1"
    [row] = await incident_rows(sessions)
    assert row.text == CLEAN
    assert row.url == "https://vk.com/wall-777_12?reply=45"
    assert row.author_name == "Иван Петров"
    assert row.attachments == ["https://vk.com/photo12345_456239017"]
    # The same post again, clean this time, is the same incident: one rule, stored once.
    again = await post(client, payload(text=CLEAN, external_id="mon-1"))
    assert again.status == 200 and (await again.json())["outcome"] == "existing"


@pytest.mark.parametrize("field", ["text", "url", "external_id"])
async def test_api_field_left_empty_by_the_rule_is_422_naming_it(client, sessions, field) -> None:
    overrides = {field: "\x00\x01"}
    if field == "text":
        overrides["attachments"] = []
    response = await post(client, payload(**overrides))
    assert response.status == 422
    body = await response.json()
    assert [problem["field"] for problem in body["fields"]] == [field]
    assert await counts(sessions) == NOTHING


async def test_vk_comment_with_nul_is_stored_without_it(client, sessions) -> None:
    obj = comment(post_id=12, post_owner_id=-777, text=DIRTY)
    response = await send(client, event("wall_reply_new", obj))
    assert response.status == 200 and await response.text() == "ok"
    [row] = await incident_rows(sessions)
    assert row.text == CLEAN.strip()


async def test_vk_comment_of_control_characters_only_is_ok_and_opens_nothing(
    client, sessions, caplog: pytest.LogCaptureFixture
) -> None:
    obj = comment(post_id=12, post_owner_id=-777, text="\x00\x02", attachments=[])
    with caplog.at_level(logging.WARNING):
        response = await send(client, event("wall_reply_new", obj))
    assert response.status == 200 and await response.text() == "ok"  # VK must not resend
    assert await counts(sessions) == NOTHING
    assert "needs text" in caplog.text


async def test_pipeline_strips_every_field_of_any_source(intake, sessions, people) -> None:
    """The Telegram sources (comments, forwards, /new) hand their Post to the same call."""
    submitted = await intake.submit(
        Post(
            Source.TELEGRAM,
            "https://t.me/c/123/45\x00",
            DIRTY,
            author_name="Житель\x00",
            author_url="https://t.me/zhitel\x00",
            external_id="tg:-100123:45\x00",
        ),
        topic_hint="Дороги\x00",
    )
    stored = submitted.view.incident.post
    assert (stored.url, stored.text, stored.author_name) == (
        "https://t.me/c/123/45",
        CLEAN,
        "Житель",
    )
    assert (stored.author_url, stored.external_id) == ("https://t.me/zhitel", "tg:-100123:45")
