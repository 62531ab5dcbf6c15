"""The curator and deputies: route, re-route, review, close, reopen, importance, limits."""

from __future__ import annotations

from datetime import timedelta

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
)
from sqlalchemy import select

from bot.services.incidents import UnknownIncident
from db import directory_queries as directory
from db.directory_queries import PersonView
from db.models import IncidentRow, Organisation
from handlers.callbacks import (
    Act,
    CardCb,
    CloseCb,
    OrgPickCb,
    PickOp,
    ReasonOp,
    ReturnCb,
)
from handlers.cards import e
from handlers.common import (
    HasRole,
    Translate,
    ask_for_text,
    cancel_row,
    perform,
    tell_done,
)
from handlers.context import Services
from workflow import commands as cmd
from workflow.model import (
    AssignmentStatus,
    Draft,
    Importance,
    Incident,
    MediaKind,
    NoAnswerReason,
    ReturnReason,
    StageLimits,
)
from workflow.roles import CURATOR_ROLES

router = Router(name=__name__)
router.message.filter(HasRole(*CURATOR_ROLES))
router.callback_query.filter(HasRole(*CURATOR_ROLES))


class AskCurator(StatesGroup):
    topic_location = State()
    picking = State()
    return_comment = State()
    reopen_comment = State()
    stage_limits = State()


# --- routing (п.10, п.11, п.19) ---------------------------------------------------------------


@router.callback_query(CardCb.filter(F.act.in_({Act.ROUTE, Act.REROUTE, Act.PICK})))
async def start_routing(
    query: CallbackQuery,
    callback_data: CardCb,
    state: FSMContext,
    services: Services,
    t: Translate,
) -> None:
    try:
        incident = await services.incidents.get(callback_data.incident)
    except UnknownIncident:
        await query.answer(t("error.incident_gone", id=callback_data.incident), show_alert=True)
        return
    await state.set_state(AskCurator.picking)
    await state.set_data({"incident": incident.id, "mode": callback_data.act.value, "selected": []})
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if callback_data.act is Act.ROUTE and not (incident.topic and incident.location):
        await state.set_state(AskCurator.topic_location)
        await query.message.answer(
            t("ask.topic_location", id=incident.id),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[cancel_row(t)]),
        )
        return
    await _show_picker(query.message, services, incident, state, t, new=True)


@router.message(AskCurator.topic_location, F.text)
async def topic_location(
    message: Message, state: FSMContext, services: Services, t: Translate
) -> None:
    parts = [part.strip() for part in (message.text or "").split(";", 1)]
    if len(parts) != 2 or not all(parts):
        await message.answer(t("ask.topic_location_format"))
        return
    await state.update_data(topic=parts[0][:200], location=parts[1][:300])
    await state.set_state(AskCurator.picking)
    data = await state.get_data()
    incident = await services.incidents.get(data["incident"])
    await _show_picker(message, services, incident, state, t, new=True)


async def _candidates(
    services: Services, incident: Incident, mode: str
) -> list[tuple[int, str, str]]:
    """(organisation id, code, name) the curator may choose from, suggested ones first."""
    async with services.sessions() as session:
        organisations = [o for o in await directory.organisations(session) if not o.is_centre]
    if mode == Act.PICK.value:
        eligible = {
            a.org_code for a in incident.assignments if a.status is AssignmentStatus.INFO_SENT
        }
        organisations = [o for o in organisations if o.code in eligible]
    text = f"{incident.topic or ''} {incident.post.text}".lower()
    async with services.sessions() as session:
        hinted = set(
            (
                await session.execute(
                    select(IncidentRow.suggested_orgs).where(IncidentRow.id == incident.id)
                )
            ).scalar()
            or []
        )

    def suggested(org: Organisation) -> bool:
        return org.code in hinted or any(str(topic).lower() in text for topic in org.topics or [])

    organisations.sort(key=lambda o: (not suggested(o), o.name))
    return [(o.id, o.code, ("💡 " if suggested(o) else "") + o.name) for o in organisations]


async def _show_picker(
    target: Message,
    services: Services,
    incident: Incident,
    state: FSMContext,
    t: Translate,
    *,
    new: bool,
) -> None:
    data = await state.get_data()
    selected = set(data.get("selected", []))
    single = data["mode"] == Act.PICK.value
    rows = []
    for org_id, _code, name in await _candidates(services, incident, data["mode"]):
        mark = "☑" if org_id in selected else "☐"
        rows.append(
            [
                InlineKeyboardButton(
                    text=f"{mark} {name}"[:60],
                    callback_data=OrgPickCb(
                        incident=incident.id, op=PickOp.TOGGLE, org=org_id
                    ).pack(),
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton(
                text=t("button.confirm"),
                callback_data=OrgPickCb(incident=incident.id, op=PickOp.CONFIRM).pack(),
            ),
            *cancel_row(t),
        ]
    )
    key = "ask.pick_consolidator" if single else "ask.pick_organisations"
    markup = InlineKeyboardMarkup(inline_keyboard=rows)
    if new:
        await target.answer(t(key, id=incident.id), reply_markup=markup)
    else:
        await target.edit_reply_markup(reply_markup=markup)


@router.callback_query(AskCurator.picking, OrgPickCb.filter(F.op == PickOp.TOGGLE))
async def toggle_org(
    query: CallbackQuery,
    callback_data: OrgPickCb,
    state: FSMContext,
    services: Services,
    t: Translate,
) -> None:
    data = await state.get_data()
    if data.get("incident") != callback_data.incident:
        await query.answer(t("flow.stale"), show_alert=True)
        return
    selected = set(data.get("selected", []))
    if data["mode"] == Act.PICK.value:
        selected = {callback_data.org}
    else:
        selected ^= {callback_data.org}
    await state.update_data(selected=sorted(selected))
    await query.answer()
    if isinstance(query.message, Message):
        incident = await services.incidents.get(callback_data.incident)
        await _show_picker(query.message, services, incident, state, t, new=False)


@router.callback_query(AskCurator.picking, OrgPickCb.filter(F.op == PickOp.CONFIRM))
async def confirm_orgs(
    query: CallbackQuery,
    callback_data: OrgPickCb,
    state: FSMContext,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    data = await state.get_data()
    if data.get("incident") != callback_data.incident:
        await query.answer(t("flow.stale"), show_alert=True)
        return
    async with services.sessions() as session:
        by_id = {o.id: o.code for o in await directory.organisations(session)}
    codes = [by_id[org_id] for org_id in data.get("selected", []) if org_id in by_id]
    if not codes:
        await query.answer(t("ask.pick_at_least_one"), show_alert=True)
        return
    mode = data["mode"]
    if mode == Act.PICK.value:
        outcome = await perform(
            query,
            services,
            person,
            t,
            callback_data.incident,
            cmd.PickConsolidator(org_code=codes[0]),
        )
    elif mode == Act.REROUTE.value:
        outcome = await perform(
            query, services, person, t, callback_data.incident, cmd.Reroute(tuple(codes))
        )
    else:
        incident = await services.incidents.get(callback_data.incident)
        outcome = await perform(
            query,
            services,
            person,
            t,
            callback_data.incident,
            cmd.Route(
                org_codes=tuple(codes),
                topic=data.get("topic") or incident.topic or "",
                location=data.get("location") or incident.location or "",
            ),
        )
    if outcome is None:
        return
    await state.clear()
    await tell_done(query, t("done.routed", id=callback_data.incident))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


# --- review (п.14) ----------------------------------------------------------------------------


def _find_draft(incident: Incident, draft_id: int) -> Draft | None:
    return next((d for d in incident.drafts if d.id == draft_id), None)


@router.callback_query(CardCb.filter(F.act == Act.REVIEW))
async def show_draft(
    query: CallbackQuery, callback_data: CardCb, services: Services, t: Translate
) -> None:
    """The draft exactly as it will be published: its media with the text, then the verdict."""
    incident = await services.incidents.get(callback_data.incident)
    draft = _find_draft(incident, callback_data.arg)
    if draft is None or not isinstance(query.message, Message):
        await query.answer(t("refusal.no_such_draft"), show_alert=True)
        return
    await query.answer()
    chat = query.message
    text = e(draft.text)
    if len(draft.media) == 1 and len(text) <= 1024:
        item = draft.media[0]
        send = {
            MediaKind.PHOTO: chat.answer_photo,
            MediaKind.VIDEO: chat.answer_video,
            MediaKind.DOCUMENT: chat.answer_document,
        }[item.kind]
        await send(item.file_id, caption=text)
    else:
        if draft.media:
            await chat.answer_media_group([_input_media(m.kind, m.file_id) for m in draft.media])
        await chat.answer(text)
    header = t(
        "review.header",
        id=incident.id,
        kind=t(f"draft.kind.{draft.kind.value}"),
        version=draft.version,
    )
    await chat.answer(
        header,
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text=t("button.approve"),
                        callback_data=CardCb(
                            incident=incident.id, act=Act.APPROVE, arg=draft.id
                        ).pack(),
                    ),
                    InlineKeyboardButton(
                        text=t("button.return"),
                        callback_data=CardCb(
                            incident=incident.id, act=Act.RETURN, arg=draft.id
                        ).pack(),
                    ),
                ]
            ]
        ),
    )


def _input_media(
    kind: MediaKind, file_id: str
) -> InputMediaPhoto | InputMediaVideo | InputMediaDocument:
    if kind is MediaKind.PHOTO:
        return InputMediaPhoto(media=file_id)
    if kind is MediaKind.VIDEO:
        return InputMediaVideo(media=file_id)
    return InputMediaDocument(media=file_id)


@router.callback_query(CardCb.filter(F.act == Act.APPROVE))
async def approve(
    query: CallbackQuery,
    callback_data: CardCb,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    if await perform(
        query,
        services,
        person,
        t,
        callback_data.incident,
        cmd.Review(draft_id=callback_data.arg, approve=True),
    ):
        await tell_done(query, t("done.approved", id=callback_data.incident))
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)


def _reasons_keyboard(
    incident_id: int, draft_id: int, chosen: set[str], t: Translate
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=("☑ " if reason.value in chosen else "☐ ") + t(f"reason.{reason.value}"),
                callback_data=ReturnCb(
                    incident=incident_id, draft=draft_id, op=ReasonOp.TOGGLE, reason=reason.value
                ).pack(),
            )
        ]
        for reason in ReturnReason
    ]
    rows.append(
        [
            InlineKeyboardButton(
                text=t("button.comment"),
                callback_data=ReturnCb(
                    incident=incident_id, draft=draft_id, op=ReasonOp.COMMENT
                ).pack(),
            ),
            InlineKeyboardButton(
                text=t("button.send_return"),
                callback_data=ReturnCb(
                    incident=incident_id, draft=draft_id, op=ReasonOp.SEND
                ).pack(),
            ),
        ]
    )
    rows.append(cancel_row(t))
    return InlineKeyboardMarkup(inline_keyboard=rows)


@router.callback_query(CardCb.filter(F.act == Act.RETURN))
async def start_return(
    query: CallbackQuery, callback_data: CardCb, state: FSMContext, t: Translate
) -> None:
    await state.set_state(AskCurator.return_comment)
    await state.set_data(
        {
            "incident": callback_data.incident,
            "draft": callback_data.arg,
            "reasons": [],
            "comment": None,
            "collecting_comment": False,
        }
    )
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            t("ask.return_reasons", id=callback_data.incident),
            reply_markup=_reasons_keyboard(callback_data.incident, callback_data.arg, set(), t),
        )


async def _return_data(
    query: CallbackQuery, callback_data: ReturnCb, state: FSMContext, t: Translate
) -> dict | None:
    data = await state.get_data()
    if data.get("incident") != callback_data.incident or data.get("draft") != callback_data.draft:
        await query.answer(t("flow.stale"), show_alert=True)
        return None
    return data


@router.callback_query(ReturnCb.filter(F.op == ReasonOp.TOGGLE))
async def toggle_reason(
    query: CallbackQuery, callback_data: ReturnCb, state: FSMContext, t: Translate
) -> None:
    data = await _return_data(query, callback_data, state, t)
    if data is None:
        return
    if callback_data.reason not in {r.value for r in ReturnReason}:
        await query.answer(t("error.bad_button"), show_alert=True)
        return
    chosen = set(data["reasons"]) ^ {callback_data.reason}
    await state.update_data(reasons=sorted(chosen))
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(
            reply_markup=_reasons_keyboard(callback_data.incident, callback_data.draft, chosen, t)
        )


@router.callback_query(ReturnCb.filter(F.op == ReasonOp.COMMENT))
async def ask_return_comment(
    query: CallbackQuery, callback_data: ReturnCb, state: FSMContext, t: Translate
) -> None:
    if await _return_data(query, callback_data, state, t) is None:
        return
    await state.update_data(collecting_comment=True)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(t("ask.return_comment"))


@router.message(AskCurator.return_comment, F.text)
async def return_comment(message: Message, state: FSMContext, t: Translate) -> None:
    data = await state.get_data()
    if not data.get("collecting_comment"):
        await message.answer(t("ask.use_buttons"))
        return
    await state.update_data(comment=(message.text or "")[:1000], collecting_comment=False)
    await message.answer(
        t("ask.return_comment_saved"),
        reply_markup=_reasons_keyboard(data["incident"], data["draft"], set(data["reasons"]), t),
    )


@router.callback_query(ReturnCb.filter(F.op == ReasonOp.SEND))
async def send_return(
    query: CallbackQuery,
    callback_data: ReturnCb,
    state: FSMContext,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    data = await _return_data(query, callback_data, state, t)
    if data is None:
        return
    if not data["reasons"]:
        await query.answer(t("refusal.empty_reasons"), show_alert=True)
        return
    if await perform(
        query,
        services,
        person,
        t,
        callback_data.incident,
        cmd.Review(
            draft_id=callback_data.draft,
            approve=False,
            reasons=tuple(ReturnReason(r) for r in data["reasons"]),
            comment=data.get("comment"),
        ),
    ):
        await state.clear()
        await tell_done(query, t("done.returned", id=callback_data.incident))
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)


# --- importance (п.17), closing (п.21), reopening, stage limits (п.18) --------------------------


@router.callback_query(CardCb.filter(F.act.in_({Act.HIGH, Act.NORMAL})))
async def importance(
    query: CallbackQuery,
    callback_data: CardCb,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    level = Importance.HIGH if callback_data.act is Act.HIGH else Importance.NORMAL
    if await perform(query, services, person, t, callback_data.incident, cmd.SetImportance(level)):
        await tell_done(query, t(f"done.importance.{level.value}", id=callback_data.incident))


@router.callback_query(CardCb.filter(F.act == Act.CLOSE))
async def ask_close(query: CallbackQuery, callback_data: CardCb, t: Translate) -> None:
    rows = [
        [
            InlineKeyboardButton(
                text=t(f"no_answer.{reason.value}"),
                callback_data=CloseCb(incident=callback_data.incident, reason=reason.value).pack(),
            )
        ]
        for reason in NoAnswerReason
    ]
    rows.append(cancel_row(t))
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            t("ask.close_reason", id=callback_data.incident),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
        )


@router.callback_query(CloseCb.filter())
async def close(
    query: CallbackQuery,
    callback_data: CloseCb,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    if callback_data.reason not in {r.value for r in NoAnswerReason}:
        await query.answer(t("error.bad_button"), show_alert=True)
        return
    if await perform(
        query,
        services,
        person,
        t,
        callback_data.incident,
        cmd.CloseNoAnswer(NoAnswerReason(callback_data.reason)),
    ):
        await tell_done(query, t("done.closed", id=callback_data.incident))
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)


@router.callback_query(CardCb.filter(F.act == Act.REOPEN))
async def ask_reopen(
    query: CallbackQuery, callback_data: CardCb, state: FSMContext, t: Translate
) -> None:
    prompt = t("ask.reopen_comment", id=callback_data.incident)
    await ask_for_text(
        query, state, AskCurator.reopen_comment, t, prompt, incident=callback_data.incident
    )


@router.message(AskCurator.reopen_comment, F.text)
async def reopen(
    message: Message,
    state: FSMContext,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    data = await state.get_data()
    if await perform(
        message, services, person, t, data["incident"], cmd.Reopen(message.text or "")
    ):
        await state.clear()
        await message.answer(t("done.reopened", id=data["incident"]))


STAGE_FIELDS = ("respond", "reroute", "draft_margin", "review", "resubmit", "publish")


@router.callback_query(CardCb.filter(F.act == Act.LIMITS))
async def ask_limits(
    query: CallbackQuery, callback_data: CardCb, state: FSMContext, t: Translate
) -> None:
    prompt = t("ask.stage_limits", id=callback_data.incident, fields=", ".join(STAGE_FIELDS))
    await ask_for_text(
        query, state, AskCurator.stage_limits, t, prompt, incident=callback_data.incident
    )


def parse_stage_limits(text: str) -> StageLimits | None:
    """`review=60 publish=120` (minutes) → StageLimits; None if anything is off."""
    values: dict[str, timedelta] = {}
    for part in text.replace(",", " ").split():
        name, sep, minutes = part.partition("=")
        if not sep or name not in STAGE_FIELDS or not minutes.isdigit():
            return None
        values[name] = timedelta(minutes=int(minutes))
    return StageLimits(**values) if values else None


@router.message(AskCurator.stage_limits, F.text)
async def stage_limits(
    message: Message,
    state: FSMContext,
    services: Services,
    person: PersonView,
    t: Translate,
) -> None:
    limits = parse_stage_limits(message.text or "")
    if limits is None:
        await message.answer(t("ask.stage_limits_format", fields=", ".join(STAGE_FIELDS)))
        return
    data = await state.get_data()
    if await perform(message, services, person, t, data["incident"], cmd.SetStageLimits(limits)):
        await state.clear()
        await message.answer(t("done.stage_limits", id=data["incident"]))


@router.message(AskCurator.topic_location)
@router.message(AskCurator.reopen_comment)
@router.message(AskCurator.stage_limits)
@router.message(AskCurator.return_comment)
async def text_expected(message: Message, t: Translate) -> None:
    await message.answer(t("ask.text_expected"))
