"""Official pages: the registry, publications reported by hand, pages added and removed,
the blacklist, the duties' buttons; and a Telegram channel's posts, counted for its page.

The service decides who may do what (bot/services/pages.py) and says no with a code; the
handlers parse, call, answer.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.services.pages import PageService, PagesRefused
from bot.services.people_service import PersonView
from bot.views.callbacks import PageCb, PageOp
from bot.views.format import e, local_time
from bot.views.pages import registry_messages, registry_xlsx
from handlers.common import Translate
from handlers.context import Services

router = Router(name=__name__)
# A channel's posts come with no user behind them: no identification, no role filter.
channel = Router(name=__name__ + ".channel")


def _pages(services: Services) -> PageService:
    if services.pages is None:
        raise RuntimeError("the pages service is not configured")
    return services.pages


def _refusal(error: PagesRefused, t: Translate) -> str:
    return t(f"pages.error.{error.code}", **{k: e(v) for k, v in error.params.items()})


@router.message(Command("pages"))
async def pages_command(
    message: Message, command: CommandObject, services: Services, person: PersonView, t: Translate
) -> None:
    try:
        rows = await _pages(services).registry(person)
    except PagesRefused as error:
        await message.answer(_refusal(error, t))
        return
    if not rows:
        await message.answer(t("pages.registry_empty"))
        return
    if (command.args or "").strip().lower() in ("xlsx", "excel", "файл"):
        data = registry_xlsx(rows, t)
        name = f"pages_{rows[0].week.isoformat()}.xlsx"
        await message.answer_document(BufferedInputFile(data, filename=name))
        return
    for text in registry_messages(rows, t):
        await message.answer(text)


@router.message(Command("posted"))
async def posted_command(
    message: Message, command: CommandObject, services: Services, person: PersonView, t: Translate
) -> None:
    link = (command.args or "").strip()
    if not link:
        await message.answer(t("pages.usage.posted"))
        return
    try:
        posted = await _pages(services).report_posted(person, link)
    except PagesRefused as error:
        await message.answer(_refusal(error, t))
        return
    key = "pages.posted_ok" if posted.counted else "pages.posted_again"
    await message.answer(t(key, page=e(posted.page.url), count=posted.count, quota=posted.quota))


@router.message(Command("page_add"))
async def page_add(
    message: Message, command: CommandObject, services: Services, person: PersonView, t: Translate
) -> None:
    parts = (command.args or "").split()
    if len(parts) not in (2, 3):
        await message.answer(t("pages.usage.page_add"))
        return
    try:
        page, sector, region = await _pages(services).add_page(
            person, parts[0], parts[1], parts[2] if len(parts) == 3 else None
        )
    except PagesRefused as error:
        await message.answer(_refusal(error, t))
        return
    await message.answer(_clocks("pages.added", page.url, sector, region, services, t))


@router.message(Command("page_remove"))
async def page_remove(
    message: Message, command: CommandObject, services: Services, person: PersonView, t: Translate
) -> None:
    link = (command.args or "").strip()
    if not link:
        await message.answer(t("pages.usage.page_remove"))
        return
    try:
        page, sector, region = await _pages(services).remove_page(person, link)
    except PagesRefused as error:
        await message.answer(_refusal(error, t))
        return
    await message.answer(_clocks("pages.removed", page.url, sector, region, services, t))


def _clocks(key: str, url: str, sector: Any, region: Any, services: Services, t: Translate) -> str:
    tz = services.centre_tz()
    return t(key, page=e(url), sector=local_time(sector, tz), region=local_time(region, tz))


@router.message(Command("blacklist"))
async def blacklist_command(
    message: Message, command: CommandObject, services: Services, person: PersonView, t: Translate
) -> None:
    parts = (command.args or "").split(maxsplit=2)
    if len(parts) < 3:
        await message.answer(t("pages.usage.blacklist"))
        return
    try:
        page = await _pages(services).blacklist(person, parts[0], parts[1], parts[2])
    except PagesRefused as error:
        await message.answer(_refusal(error, t))
        return
    await message.answer(t("pages.blacklisted", author=e(parts[1]), page=e(page.url)))


@router.callback_query(PageCb.filter(F.op == PageOp.DONE))
async def duty_done(
    query: CallbackQuery,
    callback_data: PageCb,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    try:
        await _pages(services).complete_duty(person, callback_data.id)
    except PagesRefused as error:
        await query.answer(_refusal(error, t)[:200], show_alert=True)
        return
    await query.answer(t("pages.duty_done"))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


@router.callback_query(PageCb.filter(F.op == PageOp.BLOCK))
async def block_author(
    query: CallbackQuery,
    callback_data: PageCb,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    try:
        page = await _pages(services).blacklist_incident_author(person, callback_data.id)
    except PagesRefused as error:
        await query.answer(_refusal(error, t)[:200], show_alert=True)
        return
    await query.answer(t("pages.blocked", page=page.url)[:200])
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


@channel.channel_post()
async def channel_post(message: Message, services: Services) -> None:
    """A post in a channel the bot is a member of: counted if the channel is a page."""
    await _pages(services).record_channel_post(
        message.chat.id, message.chat.username, message.message_id, message.date
    )
