"""The card tells the truth: after publication the published version and its link, not a
returned draft as if current; author, times, attachments, repeats; each organisation's own
deadlines; due moments in the reader's zone, "срок сейчас" at the due moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.i18n import Translator
from bot.services.read_models import CardModel
from bot.views.renderer import OutboxRenderer
from db.uow import UnitOfWork
from tests.conftest import MOSCOW_OFFICE
from workflow.commands import ConfirmPublication, Review, Route, SubmitDraft, Take
from workflow.model import Post, ReturnReason, Source
from workflow.policy import Policy

MSK = ZoneInfo("Europe/Moscow")
START = datetime(2026, 4, 29, 10, 0, tzinfo=MSK)  # a Wednesday
POST = Post(
    Source.VK,
    "https://vk.com/wall-1_900",
    "Яма на дороге у школы № 3, когда заделают?",
    author_name="Житель Петров",
    author_url="https://vk.com/id42",
    published_at=datetime(2026, 4, 29, 9, 40, tzinfo=MSK),
    attachments=("https://vk.com/photo-1_1", "https://vk.com/photo-1_2"),
)
ANSWER = "Здравствуйте! Яму заделают до 5 мая."
REPLY_URL = "https://vk.com/wall-1_900?reply=77"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


async def _card(sessions, clock, incident_id: int, org_code: str | None = None) -> str:
    renderer = OutboxRenderer(Translator(), clock, Policy(), MOSCOW_OFFICE)
    async with UnitOfWork(sessions) as uow:
        directory = await renderer.read_models.directory(uow)
        model: CardModel | None = await renderer.read_models.card(uow, incident_id)
    audience = "org" if org_code else "centre"
    params = {"audience": audience, "org_code": org_code}
    return renderer.card(model, directory, incident_id, params, "ru").text


async def test_p16_a_card_after_publication_shows_the_published_version_and_its_link(
    service, sessions, people, clock
) -> None:
    incident_id = (await service.detect(POST)).incident.id
    curator, executor = people.people["curator"], people.people["roads_1"]
    await service.perform(incident_id, curator, Route(("roads",), "Дороги", "ул. Ленина"))
    await service.perform(incident_id, executor, Take())
    first = (await service.perform(incident_id, executor, SubmitDraft(ANSWER))).incident
    await service.perform(
        incident_id,
        curator,
        Review(first.drafts[-1].id, approve=False, reasons=(ReturnReason.SPELLING,)),
    )
    returned = await _card(sessions, clock, incident_id)
    assert "v1" in returned and "возвращено на доработку" in returned  # while it is current
    second = (await service.perform(incident_id, executor, SubmitDraft(ANSWER + " "))).incident
    draft_id = second.drafts[-1].id
    await service.perform(incident_id, curator, Review(draft_id, approve=True))
    clock.advance(timedelta(minutes=7))
    await service.perform(incident_id, executor, ConfirmPublication(draft_id, REPLY_URL))

    card = await _card(sessions, clock, incident_id)
    assert "возвращено на доработку" not in card and "v1" not in card
    assert "Причины возврата" not in card
    assert f'<a href="{REPLY_URL}">ссылка на ответ</a>' in card
    assert "проект ответа, версия 2" in card
    assert "Статус: <b>ответ опубликован</b>" in card


async def test_the_card_shows_author_times_attachments_and_repeats(
    service, sessions, people, clock
) -> None:
    incident_id = (await service.detect(POST)).incident.id
    async with UnitOfWork(sessions, write=True) as uow:
        for number in (1, 2):
            repeat = Post(Source.VK, f"https://vk.com/wall-1_90{number}", POST.text)
            await uow.intake.attach(incident_id, repeat, START)
    card = await _card(sessions, clock, incident_id)
    assert '<a href="https://vk.com/id42">Житель Петров</a>' in card
    assert "Пост: 29.04 09:40 · выявлен: 29.04 10:00" in card
    assert '📎 Вложения автора: <a href="https://vk.com/photo-1_1">1</a>' in card
    assert '🔁 Повторные обращения (2): <a href="https://vk.com/wall-1_901">1</a>' in card


async def test_each_organisation_shows_its_own_deadlines_in_the_readers_zone(
    service, sessions, people, clock
) -> None:
    incident_id = (await service.detect(POST)).incident.id
    await service.perform(
        incident_id, people.people["curator"], Route(("roads",), "Дороги", "ул. Ленина")
    )
    incident = await service.get(incident_id)
    respond = next(d for d in incident.deadlines if d.kind.value == "respond")
    novosibirsk = respond.due_at.astimezone(ZoneInfo("Asia/Novosibirsk")).strftime("%H:%M")
    moscow = respond.due_at.astimezone(MSK).strftime("%H:%M")
    centre = await _card(sessions, clock, incident_id)
    line = next(line for line in centre.splitlines() if "Управление дорожного" in line)
    assert f"взять или «не наше» (п.11) до 29.04 {moscow}" in line
    roads = await _card(sessions, clock, incident_id, "roads")  # the office in Novosibirsk
    assert f"до 29.04 {novosibirsk}" in roads
    assert "осталось" not in roads  # a due moment never goes stale; a countdown would


async def test_at_the_due_moment_the_card_says_due_now_not_zero_lateness(
    service, sessions, people, clock
) -> None:
    incident = (await service.detect(POST)).incident
    route = next(d for d in incident.deadlines if d.kind.value == "route")
    clock.set(route.due_at)
    card = await _card(sessions, clock, incident.id)
    assert "направление в организации (п.10): срок сейчас" in card
    assert "0 мин" not in card
    clock.advance(timedelta(minutes=30))
    assert "<b>ПРОСРОЧЕНО</b> направление в организации (п.10): срок был" in await _card(
        sessions, clock, incident.id
    )


@pytest.mark.parametrize("card_chat_notices", [False, True])
async def test_a_chat_holding_the_card_gets_no_notice_the_card_shows_unless_asked(
    sessions, people, clock, card_chat_notices: bool
) -> None:
    from sqlalchemy import select

    from bot.services.incidents import IncidentService
    from db.models import OutboxRow

    service = IncidentService(
        sessions, clock, Policy(), MOSCOW_OFFICE, card_chat_notices=card_chat_notices
    )
    incident_id = (await service.detect(POST)).incident.id
    await service.perform(
        incident_id, people.people["curator"], Route(("roads",), "Дороги", "ул. Ленина")
    )
    await service.perform(incident_id, people.people["roads_1"], Take())
    async with sessions() as session:
        rows = (await session.execute(select(OutboxRow))).scalars().all()
    curator = people.telegram["curator"]
    taken = [r for r in rows if r.key == "incident.taken" and r.chat_id == curator]
    assert len(taken) == (1 if card_chat_notices else 0)
    # A notice asking someone to act still goes to a chat that holds the card.
    routed = [r for r in rows if r.key == "incident.routed"]
    assert routed
