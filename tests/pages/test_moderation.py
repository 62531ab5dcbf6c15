"""Moderation on the official pages: the blacklist (000, 001 п.8, 002 п.7, 004 п.9, 003
App. 2 п.14), a blacklisted author's next comment marked on the card, and a possible п.21
case on a page sent to its responsible official with an offer to blacklist the author."""

from __future__ import annotations

from typing import Any

import pytest

from bot.i18n import Translator
from bot.services.pages import PagesRefused
from bot.services.read_models import ReadModels
from bot.views.card import render_card_text
from db.uow import UnitOfWork
from tests.conftest import MOSCOW_OFFICE
from tests.pages.conftest import ROADS_HEAD, VK_GROUP, msk, outbox, person, vk_event

PAGE = f"https://vk.com/club{VK_GROUP}"


def comment(comment_id: int, author: int, text: str) -> bytes:
    return vk_event(
        {
            "id": comment_id,
            "from_id": author,
            "post_id": 5,
            "owner_id": -VK_GROUP,
            "date": int(msk(2026, 5, 18, 11).timestamp()),
            "text": text,
        },
        "wall_reply_new",
    )


async def incident_of(sessions, comment_id: int) -> int:
    from sqlalchemy import select

    from db.models import IncidentRow

    async with sessions() as session:
        return int(
            await session.scalar(
                select(IncidentRow.id).where(IncidentRow.url.contains(f"reply={comment_id}"))
            )  # type: ignore[arg-type]
        )


async def card_text(sessions, incident_id: int) -> str:
    models = ReadModels(MOSCOW_OFFICE)
    async with UnitOfWork(sessions) as uow:
        view = await models.directory(uow)
        model = await models.card(uow, incident_id)
    assert model is not None
    translator = Translator()

    def t(key: str, /, **params: Any) -> str:
        return translator.render(key, params, "ru")

    text, _ = render_card_text(
        model.incident,
        view.names,
        msk(2026, 5, 18, 12),
        view.tz(None),
        t,
        flags=model.flags,
    )
    return text


async def test_a_blacklisted_authors_next_comment_is_marked_on_the_card(
    registry, sessions, pages, vk, intake, clock
) -> None:
    clock.set(msk(2026, 5, 18, 11))
    head = await person(sessions, "roads_head")
    await pages.blacklist(head, PAGE, "https://vk.com/id777", "оскорбления")
    with pytest.raises(PagesRefused, match="already_blocked"):
        await pages.blacklist(head, PAGE + "/", "https://vk.com/id777", "ещё раз")
    with pytest.raises(PagesRefused, match="not_yours"):
        await pages.blacklist(await person(sessions, "parks_head"), PAGE, "https://vk.com/id1", "x")
    await vk.handle(comment(101, 777, "Когда отремонтируют дорогу на Садовой?"))
    await vk.handle(comment(102, 778, "Когда отремонтируют дорогу на Лесной?"))
    marked, clean = await incident_of(sessions, 101), await incident_of(sessions, 102)
    assert "blacklisted_author" in (await intake.view(marked)).flags  # type: ignore[union-attr]
    assert "blacklisted_author" not in (await intake.view(clean)).flags  # type: ignore[union-attr]
    assert "в чёрном списке" in await card_text(sessions, marked)
    assert "в чёрном списке" not in await card_text(sessions, clean)


async def test_p21_case_on_a_page_asks_to_remove_the_comment_and_offers_the_blacklist(
    registry, sessions, pages, vk, intake, clock
) -> None:
    clock.set(msk(2026, 5, 18, 11))
    await vk.handle(comment(201, 888, "Бля, убью"))
    incident_id = await incident_of(sessions, 201)
    [request] = await outbox(sessions, "pages.remove_comment")
    assert request.chat_id == ROADS_HEAD
    assert request.params["author"] == "https://vk.com/id888"
    assert request.params["keyboard"][0][0]["k"] == "pages.button.block"
    page = await pages.blacklist_incident_author(await person(sessions, "roads_head"), incident_id)
    assert page.url == PAGE
    await vk.handle(comment(202, 888, "Опять яма у дома 5"))
    assert "blacklisted_author" in (await intake.view(await incident_of(sessions, 202))).flags  # type: ignore[union-attr]
    # An ordinary comment asks nothing of the page.
    assert len(await outbox(sessions, "pages.remove_comment")) == 1
