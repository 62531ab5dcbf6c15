"""Routing (п.10), re-routing (п.11), choosing the consolidator (п.19)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.services.incidents import UnknownIncident
from bot.services.people_service import PersonView
from bot.views.callbacks import Act, CardCb, OrgPickCb, PickOp
from bot.views.keyboard import KeyboardSpec, button, cancel_button, markup
from handlers.common import HasRole, Translate, perform, say, tell_done
from handlers.context import Services
from handlers.curator.states import AskCurator
from workflow import commands as cmd
from workflow.model import Incident
from workflow.roles import CURATOR_ROLES

router = Router(name=__name__)
router.message.filter(HasRole(*CURATOR_ROLES))
router.callback_query.filter(HasRole(*CURATOR_ROLES))


@router.callback_query(CardCb.filter(F.act.in_({Act.ROUTE, Act.REROUTE, Act.PICK})))
async def start_routing(
    query: CallbackQuery,
    callback_data: CardCb,
    state: FSMContext,
    services: Services,
    locale: str,
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
        await say(
            services,
            query,
            locale,
            "ask.topic_location",
            keyboard=[[cancel_button()]],
            id=incident.id,
        )
        return
    await _show_picker(query, services, incident, state, locale)


@router.message(AskCurator.topic_location, F.text)
async def topic_location(
    message: Message, state: FSMContext, services: Services, locale: str
) -> None:
    parts = [part.strip() for part in (message.text or "").split(";", 1)]
    if len(parts) != 2 or not all(parts):
        await say(services, message, locale, "ask.topic_location_format")
        return
    await state.update_data(topic=parts[0][:200], location=parts[1][:300])
    await state.set_state(AskCurator.picking)
    data = await state.get_data()
    incident = await services.incidents.get(data["incident"])
    await _show_picker(message, services, incident, state, locale)


async def _picker(services: Services, incident: Incident, state: FSMContext) -> KeyboardSpec:
    """The organisations to choose from (suggested ones marked and first), then confirm."""
    data = await state.get_data()
    selected = set(data.get("selected", []))
    candidates = await services.lookups.routing_candidates(
        incident, consolidator=data["mode"] == Act.PICK.value
    )
    rows = [
        [
            button(
                OrgPickCb(incident=incident.id, op=PickOp.TOGGLE, org=org.id).pack(),
                label=f"{'☑' if org.id in selected else '☐'} "
                + ("💡 " if org.suggested else "")
                + org.name,
            )
        ]
        for org in candidates
    ]
    confirm = OrgPickCb(incident=incident.id, op=PickOp.CONFIRM).pack()
    rows.append([button(confirm, key="button.confirm"), cancel_button()])
    return rows


async def _show_picker(
    event: CallbackQuery | Message,
    services: Services,
    incident: Incident,
    state: FSMContext,
    locale: str,
) -> None:
    data = await state.get_data()
    key = "ask.pick_consolidator" if data["mode"] == Act.PICK.value else "ask.pick_organisations"
    rows = await _picker(services, incident, state)
    await say(services, event, locale, key, keyboard=rows, id=incident.id)


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
    if isinstance(query.message, Message):  # the picker pressed changes in place, at once
        incident = await services.incidents.get(callback_data.incident)
        rows = await _picker(services, incident, state)
        await query.message.edit_reply_markup(reply_markup=markup(rows, t))


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
    codes = await services.lookups.organisation_codes(data.get("selected", []))
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
