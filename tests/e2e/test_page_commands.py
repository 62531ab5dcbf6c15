"""Official pages' commands end to end, typed and pressed as people would: `/posted`,
`/page_add`, `/page_remove`, `/blacklist`, the "done" button of a drafted report and the
"blacklist the author" button of a п.21 request, against
the real bot process and the fake Bot API. The duties' drafts come from the pages job (every
minute in the bot); the test runs the same job on the bot's database to have them at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import SystemClock
from bot.intake.service import IntakeService
from bot.pages.jobs import PageJobs
from bot.services.calendars import CalendarConfig
from db.engine import create_session_factory
from db.models import Person
from db.models_pages import PageDuty, PagePost
from tests.e2e import harness
from tests.e2e.harness import CURATOR, MANAGER, PARKS_1, ROADS_1, BotWorld
from tests.e2e.test_pages import PAGES
from workflow.alerts import AlertPolicy
from workflow.calendar import CalendarOverrides
from workflow.model import Post, Source
from workflow.pages import PagePolicy

STRANGER = 9009
ROADS_PAGE = "https://vk.com/club218765432"
NEW_PAGE = "https://vk.com/club300000001"
# roads1 is also the organisation's responsible official (п.8): a page the curator adds for
# roads is theirs, and so are its reports.
_EXECUTOR = f"telegram_id: {ROADS_1}\n    roles: [executor]"
assert _EXECUTOR in harness.DIRECTORY
DIRECTORY = (
    harness.DIRECTORY.replace(
        _EXECUTOR, f"telegram_id: {ROADS_1}\n    roles: [executor, responsible]"
    )
    + PAGES
)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[BotWorld]:
    world = BotWorld(tmp_path, directory=DIRECTORY)
    await world.start()
    try:
        yield world
    finally:
        await world.stop()


async def _say(world: BotWorld, user: int, text: str, expect: str) -> str:
    world.fake.user_message(user, text)
    return (await world.wait_bot_text(user, expect)).content or ""


async def _press(world: BotWorld, chat: int, message_id: int, data: str, user: int) -> str:
    query = world.fake.press_button(chat, message_id, data, user_id=user, check=False)
    await world.until(lambda: query in world.fake.callback_answers)
    return str(world.fake.callback_answers[query].get("text", ""))


async def test_posted_counts_the_officials_own_page_and_refuses_the_rest(
    world: BotWorld,
) -> None:
    post = "https://vk.com/wall-218765432_77"
    reply = await _say(world, ROADS_1, f"/posted {post}", "Публикация засчитана")
    assert f"странице {ROADS_PAGE}: за неделю 1 из 3" in reply
    reply = await _say(world, ROADS_1, f"/posted {post}", "уже засчитана")
    assert "1 из 3" in reply  # the same link is counted once

    # Another organisation's page, a link on no page, not a social network at all.
    reply = await _say(world, ROADS_1, "/posted https://ok.ru/group/70000001/topic/5", "не вами")
    assert "https://ok.ru/group/70000001" in reply
    reply = await _say(world, ROADS_1, "/posted https://t.me/other_news/5", "не относится")
    assert "https://t.me/other_news/5" in reply
    await _say(world, ROADS_1, "/posted https://example.com/post/1", "не ссылка на ВКонтакте")
    await _say(world, ROADS_1, "/posted", "Формат: /posted ССЫЛКА_НА_ПУБЛИКАЦИЮ")

    # An executor of another organisation, and someone the bot does not know.
    await _say(world, PARKS_1, "/posted https://vk.com/wall-218765432_78", "ведётся не вами")
    await _say(world, STRANGER, "/posted https://vk.com/wall-218765432_79", "не зарегистрированы")

    assert world.engine is not None
    async with world.engine.connect() as connection:
        urls = list((await connection.execute(select(PagePost.url))).scalars())
    assert urls == [post]


async def test_malformed_page_commands_get_their_usage(world: BotWorld) -> None:
    await _say(world, CURATOR, "/page_add https://vk.com/club1", "Формат: /page_add ССЫЛКА")
    await _say(world, CURATOR, "/page_add a b c d", "Формат: /page_add ССЫЛКА")
    await _say(world, CURATOR, f"/page_add {NEW_PAGE} roads weird", "Неизвестный вид страницы")
    await _say(world, CURATOR, f"/page_add {NEW_PAGE} nosuch", "Организации «nosuch» нет")
    await _say(world, CURATOR, "/page_add https://example.com/x roads", "не ссылка на ВКонтакте")
    await _say(world, CURATOR, f"/page_add {ROADS_PAGE} roads", "уже есть в реестре")
    # Another organisation's executor, a manager (who may read the registry, not change it).
    for user in (PARKS_1, MANAGER):
        reply = await _say(world, user, f"/page_add {NEW_PAGE} roads", "Вносить страницы")
        assert "«Управление дорожного хозяйства»" in reply
    await _say(world, CURATOR, "/page_remove", "Формат: /page_remove ССЫЛКА_НА_СТРАНИЦУ")
    await _say(world, CURATOR, "/page_remove https://vk.com/club999", "не относится")
    await _say(world, PARKS_1, f"/page_remove {ROADS_PAGE}", "ведётся не вами")
    await _say(world, CURATOR, f"/blacklist {ROADS_PAGE} x", "Формат: /blacklist ССЫЛКА")
    await _say(
        world, CURATOR, f"/blacklist {ROADS_PAGE} vk_user спам", "должна начинаться с https://"
    )
    author = "https://vk.com/id777"
    reply = await _say(world, ROADS_1, f"/blacklist {ROADS_PAGE} {author} угрозы", "внесён")
    assert author in reply and ROADS_PAGE in reply
    await _say(world, ROADS_1, f"/blacklist {ROADS_PAGE} {author} снова", "уже в чёрном списке")


async def test_added_and_removed_page_reports_reach_the_responsible_with_done(
    world: BotWorld,
) -> None:
    reply = await _say(world, CURATOR, f"/page_add {NEW_PAGE} roads active", "внесена в реестр")
    assert NEW_PAGE in reply and "в сектор по информационной работе до" in reply
    reply = await _say(world, CURATOR, f"/page_remove {NEW_PAGE}", "исключена из реестра")
    assert NEW_PAGE in reply

    assert world.engine is not None
    config = CalendarConfig("Europe/Moscow", "mon-fri 09:00-18:00", True, CalendarOverrides())
    jobs = PageJobs(
        create_session_factory(world.engine), SystemClock(), config, PagePolicy(), AlertPolicy()
    )
    await jobs.run()  # the bot's own run may have settled them first: either sends once
    created = await world.wait_bot_text(ROADS_1, "в сектор по информационной работе (п.3.3.2")
    assert "Создана официальная страница" in (created.content or "")
    assert NEW_PAGE in (created.content or "")
    await world.wait_bot_text(ROADS_1, "Создана официальная страница")  # the region's
    await world.wait_bot_text(ROADS_1, "Удалена официальная страница")
    await world.wait_bot_text(ROADS_1, "Удалена официальная страница")

    done = world.button(ROADS_1, created, "pages.button.done")
    refused = await _press(world, ROADS_1, created.message_id, done, PARKS_1)
    assert "ведётся не вами" in refused  # another organisation's executor
    assert world.fake.message(ROADS_1, created.message_id).reply_markup
    answer = await _press(world, ROADS_1, created.message_id, done, ROADS_1)
    assert answer == world.t.text("pages.duty_done", "ru")
    await world.until(lambda: not world.fake.message(ROADS_1, created.message_id).reply_markup)
    again = await _press(world, ROADS_1, created.message_id, done, ROADS_1)
    assert again == world.t.text("pages.error.duty_done", "ru")

    async with world.engine.connect() as connection:
        roads1 = (await connection.execute(select(Person.id).where(Person.key == "roads1"))).one()
        rows = (await connection.execute(select(PageDuty.done_by, PageDuty.done_at))).all()
    assert [row.done_by for row in rows if row.done_at is not None] == [roads1.id]


async def test_p21_comment_on_a_page_offers_the_responsible_to_blacklist_its_author(
    world: BotWorld,
) -> None:
    assert world.engine is not None
    intake = IntakeService(world.service, create_session_factory(world.engine), SystemClock())
    author = "https://vk.com/id888"
    post = Post(
        Source.VK, "https://vk.com/wall-218765432_5?reply=301", "Бля, убью", "Житель", author
    )
    assert (await intake.submit(post)).created
    request = await world.wait_bot_text(ROADS_1, "похож на случай п.21")
    assert author in (request.content or "")
    block = world.button(ROADS_1, request, "pages.button.block")

    refused = await _press(world, ROADS_1, request.message_id, block, PARKS_1)
    assert "ведётся не вами" in refused
    answer = await _press(world, ROADS_1, request.message_id, block, ROADS_1)
    assert answer == world.t.text("pages.blocked", "ru", page=ROADS_PAGE)
    await world.until(lambda: not world.fake.message(ROADS_1, request.message_id).reply_markup)
    again = await _press(world, ROADS_1, request.message_id, block, ROADS_1)
    assert "уже в чёрном списке" in again
    # The same author by hand: the page's list already has them.
    await _say(world, ROADS_1, f"/blacklist {ROADS_PAGE} {author} угрозы", "уже в чёрном списке")
