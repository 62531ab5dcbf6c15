"""/report end to end: the picker, then a summary, a chart (photo) and a table (document);
an executor is refused; a responsible official gets their own organisation only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.harness import DIRECTORY, MANAGER, ROADS_1, BotWorld

ROADS_HEAD = 2009
WITH_RESPONSIBLE = DIRECTORY.replace(
    "chats:\n",
    f"""  - key: roadshead
    full_name: Путевой Семён
    telegram_id: {ROADS_HEAD}
    roles: [responsible]
    organisation: roads
chats:
""",
    1,
)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[BotWorld]:
    world = BotWorld(tmp_path, directory=WITH_RESPONSIBLE)
    await world.start()
    try:
        yield world
    finally:
        await world.stop()


async def _files(world: BotWorld, chat_id: int) -> tuple[str, str]:
    """The photo and the document the bot sent to the chat: their uploaded file names."""
    await world.until(
        lambda: {m.media_kind for m in world.fake.bot_messages(chat_id)} >= {"photo", "document"}
    )
    names = {}
    for method, field in (("sendPhoto", "photo"), ("sendDocument", "document")):
        calls = [c for c in world.fake.calls_of(method) if c.chat_id == chat_id]
        assert calls, method
        # aiogram sends `photo=attach://<name>` and the file itself under that name.
        attached = str(calls[-1].params[field]).removeprefix("attach://")
        names[field] = calls[-1].params[attached]["uploaded"]
    return names["photo"], names["document"]


async def test_report_picker_photo_document_refusal_and_own_organisation(
    world: BotWorld,
) -> None:
    await world.detect("Яма на дороге у школы", "https://vk.com/wall-1_501")
    world.fake.user_message(MANAGER, "/report")
    picker = await world.wait_bot_text(MANAGER, "Отчёт за какой период?")
    world.press(MANAGER, picker, "reports.period.tm", MANAGER)
    summary = await world.wait_bot_text(MANAGER, "Отчёт за")
    assert "вся администрация" in (summary.content or "")
    assert "Поступило: 1" in (summary.content or "")
    photo, document = await _files(world, MANAGER)
    assert photo == "chart.png"
    assert document.startswith("report_all_") and document.endswith(".xlsx")
    captions = [m.caption or "" for m in world.fake.bot_messages(MANAGER) if m.media_kind]
    assert any("график" in caption for caption in captions)
    assert any("таблица" in caption for caption in captions)

    world.fake.user_message(ROADS_1, "/report")
    await world.wait_bot_text(ROADS_1, "Отчёты доступны руководителям")
    assert not [m for m in world.fake.bot_messages(ROADS_1) if m.media_kind]

    world.fake.user_message(ROADS_HEAD, "/report 01.11.2026–30.11.2026 parks")
    await world.wait_bot_text(ROADS_HEAD, "только по вашей организации")
    world.fake.user_message(ROADS_HEAD, "/report 31.11.2026–30.12.2026")
    await world.wait_bot_text(ROADS_HEAD, "Такой даты нет")
    world.fake.user_message(ROADS_HEAD, "/report 01.11.2026–30.11.2026")
    own = await world.wait_bot_text(ROADS_HEAD, "Отчёт за 01.11.2026–30.11.2026")
    assert "Управление дорожного хозяйства" in (own.content or "")
    assert "Управление благоустройства" not in (own.content or "")
    _, document = await _files(world, ROADS_HEAD)
    assert document == "report_roads_20261101-20261130.xlsx"
