"""The scanner's alert ladders over real rows, on SQLite and PostgreSQL, with the clock moved by
hand."""

from __future__ import annotations

from collections import Counter

from tests.deadlines.conftest import msk, nsk, post
from tests.deadlines.scanner_helpers import (
    CURATORS,
    MANAGER,
    ROADS_1,
    ROADS_2,
    ROADS_CHAT,
    ROADS_HEAD,
    alert,
    at,
    deadline_rows,
    fired,
)
from tests.support.directory_seed import mark_away
from workflow.alerts import AlertStage
from workflow.commands import Route, SetImportance, Take
from workflow.model import DeadlineKind, DeadlineState, Importance


async def test_ladder_across_the_shortened_day_and_the_may_holidays_fires_each_step_once(
    service, scanner, clock, people, outbox, sessions
) -> None:
    clock.set(msk(2026, 4, 30, 16, 30))  # Thursday, the day ends at 17:00; May 1-3 off
    incident_id = (await service.detect(post(1))).incident.id
    await outbox.new()
    report = await scanner.tick()
    assert (report.claimed, report.fired) == (2, 0)
    answer, route = await deadline_rows(sessions, incident_id)
    assert answer.next_alert_at == msk(2026, 5, 4, 10, 0)
    assert route.next_alert_at == msk(2026, 4, 30, 17, 0)

    await at(clock, scanner, msk(2026, 4, 30, 16, 59, 59))
    assert await outbox.new() == []
    await at(clock, scanner, msk(2026, 4, 30, 17, 0))
    rows = await outbox.new()
    assert fired(rows) == alert(CURATORS, "deadline.reminder", "route", "half")
    # 17:00 is past the short day: the reminder waits for Monday morning.
    assert {r.not_before for r in rows} == {msk(2026, 5, 4, 9, 0)}
    assert rows[0].params["left_minutes"] == 30
    await scanner.tick()  # the same moment again: nothing twice
    assert await outbox.new() == []

    for quiet in (msk(2026, 5, 1, 12), msk(2026, 5, 3, 23), msk(2026, 5, 4, 9, 19)):
        await at(clock, scanner, quiet)
        assert await outbox.new() == []

    await at(clock, scanner, msk(2026, 5, 4, 9, 20))
    rows = await outbox.new()
    assert fired(rows) == alert(CURATORS, "deadline.reminder", "route", "final")
    assert {r.not_before for r in rows} == {msk(2026, 5, 4, 9, 20)}

    await at(clock, scanner, msk(2026, 5, 4, 9, 30))
    all_rows = await outbox.new(kind=None, prefix=None)
    assert fired([r for r in all_rows if r.kind == "message"]) == alert(
        CURATORS, "deadline.overdue", "route", "overdue"
    )
    assert {r.chat_id for r in all_rows if r.kind == "card"} == CURATORS  # redrawn as overdue

    await at(clock, scanner, msk(2026, 5, 4, 10, 0))
    assert fired(await outbox.new()) == alert(
        {MANAGER}, "deadline.overdue_escalated", "route", "escalated"
    ) | alert(CURATORS, "deadline.reminder", "answer", "half")

    await at(clock, scanner, msk(2026, 5, 4, 11, 20))
    assert fired(await outbox.new()) == alert(CURATORS, "deadline.reminder", "answer", "final")
    await at(clock, scanner, msk(2026, 5, 4, 11, 30))
    rows = await outbox.new()
    assert fired(rows) == alert(CURATORS, "deadline.overdue", "answer", "overdue")
    assert rows[0].params["due_at"] == "2026-05-04T08:30:00+00:00"
    await at(clock, scanner, msk(2026, 5, 4, 12, 0))
    rows = await outbox.new()
    assert fired(rows) == alert({MANAGER}, "deadline.overdue_escalated", "answer", "escalated")
    assert rows[0].params["overdue_minutes"] == 30
    await at(clock, scanner, msk(2026, 5, 12, 12, 0))  # the ladder is done
    assert await outbox.new() == []
    assert {
        (r.alert_stage, r.next_alert_at) for r in await deadline_rows(sessions, incident_id)
    } == {(AlertStage.ESCALATED, None)}


async def test_organisation_clocks_over_a_weekend_reach_holder_stand_in_and_responsible(
    service, scanner, clock, people, outbox, sessions
) -> None:
    clock.set(msk(2026, 5, 15, 16, 0))  # Friday
    incident_id = (await service.detect(post(2))).incident.id
    await scanner.tick()
    clock.set(msk(2026, 5, 15, 16, 20))  # routed in time: the routing clock stops
    await service.perform(
        incident_id,
        people.people["curator"],
        Route(org_codes=("roads",), topic="Дороги", location="ул. Ленина"),
    )
    await scanner.tick()
    await outbox.new()
    await at(clock, scanner, msk(2026, 5, 15, 16, 30))  # the route clock's half-time: met
    assert await outbox.new() == []

    # The answer clock (3 h from 16:00 Fri, due Mon 10:00): half-time at 17:30 Fri.
    await at(clock, scanner, msk(2026, 5, 15, 17, 30))
    rows = await outbox.new()
    assert fired(rows) == alert(CURATORS | {ROADS_CHAT}, "deadline.reminder", "answer", "half")
    held = {r.chat_id: r.not_before for r in rows}
    assert held[ROADS_CHAT] == nsk(2026, 5, 18, 9, 0)  # 21:30 in Novosibirsk: Monday
    assert held[1001] == msk(2026, 5, 15, 17, 30)

    # Routed 20:20 Novosibirsk time: the 30 minutes to respond run Mon 09:00-09:30 there.
    for quiet in (msk(2026, 5, 16, 12), nsk(2026, 5, 18, 9, 14)):
        await at(clock, scanner, quiet)
        assert await outbox.new() == []
    await at(clock, scanner, nsk(2026, 5, 18, 9, 15))
    assert fired(await outbox.new()) == alert({ROADS_CHAT}, "deadline.reminder", "respond", "half")
    clock.set(nsk(2026, 5, 18, 9, 17))
    await service.perform(incident_id, people.people["roads_1"], Take())
    async with sessions() as session, session.begin():
        await mark_away(session, people.people["roads_1"], nsk(2026, 5, 18, 9, 18), None)
    await at(clock, scanner, nsk(2026, 5, 18, 9, 20))  # respond met: no final reminder
    assert [r for r in await outbox.new() if r.params["kind"] == "respond"] == []

    # The draft is due 30 min before the answer (10:00 MSK = 14:00 NSK): 12:30 NSK.
    await at(clock, scanner, nsk(2026, 5, 18, 10, 45))
    assert fired(await outbox.new()) == alert(
        {ROADS_1, ROADS_2}, "deadline.reminder", "draft", "half"
    )
    await at(clock, scanner, nsk(2026, 5, 18, 12, 20))
    assert fired(await outbox.new()) == alert(
        {ROADS_1, ROADS_2}, "deadline.reminder", "draft", "final"
    )
    await at(clock, scanner, nsk(2026, 5, 18, 12, 30))
    rows = await outbox.new()
    assert fired(rows) == alert(
        {ROADS_1, ROADS_2, ROADS_HEAD} | CURATORS, "deadline.overdue", "draft", "overdue"
    )
    held = {r.chat_id: r.not_before for r in rows}
    assert held[ROADS_HEAD] == nsk(2026, 5, 18, 12, 30)
    assert held[1001] == msk(2026, 5, 18, 9, 0)  # 08:30 in Moscow: the curators' office opens
    await at(clock, scanner, nsk(2026, 5, 18, 13, 0))
    assert fired(await outbox.new()) == alert(
        {MANAGER}, "deadline.overdue_escalated", "draft", "escalated"
    )
    await at(clock, scanner, msk(2026, 5, 18, 9, 50))
    assert fired(await outbox.new()) == alert(
        {ROADS_1, ROADS_2} | CURATORS, "deadline.reminder", "answer", "final"
    )
    await at(clock, scanner, msk(2026, 5, 18, 10, 0))
    assert fired(await outbox.new()) == alert(
        {ROADS_1, ROADS_2, ROADS_HEAD} | CURATORS, "deadline.overdue", "answer", "overdue"
    )


async def test_alert_due_at_1805_reader_time_waits_for_their_next_morning(
    service, scanner, clock, people, outbox
) -> None:
    clock.set(msk(2026, 5, 20, 10, 5))  # the answer is due 14:05 Moscow = 18:05 Novosibirsk
    incident_id = (await service.detect(post(3))).incident.id
    clock.set(msk(2026, 5, 20, 10, 10))
    await service.perform(
        incident_id,
        people.people["curator"],
        Route(org_codes=("roads",), topic="Дороги", location="ул. Ленина"),
    )
    await scanner.tick()
    await at(clock, scanner, msk(2026, 5, 20, 14, 5))
    rows = [r for r in await outbox.new() if r.params["kind"] == "answer"]
    assert fired(rows) == alert(
        {ROADS_CHAT, ROADS_HEAD} | CURATORS, "deadline.overdue", "answer", "overdue"
    )
    held = {r.chat_id: r.not_before for r in rows}
    assert held[ROADS_CHAT] == held[ROADS_HEAD] == nsk(2026, 5, 21, 9, 0)
    assert held[1001] == held[1002] == msk(2026, 5, 20, 14, 5)


async def test_high_importance_alerts_go_at_once_even_after_hours(
    service, scanner, clock, people, outbox
) -> None:
    clock.set(msk(2026, 5, 20, 11, 5))  # 2 working hours: due 14:05 Moscow
    incident_id = (await service.detect(post(4), importance=Importance.HIGH)).incident.id
    clock.set(msk(2026, 5, 20, 11, 10))
    await service.perform(
        incident_id,
        people.people["curator"],
        Route(org_codes=("roads",), topic="Дороги", location="ул. Ленина"),
    )
    await scanner.tick()
    await at(clock, scanner, msk(2026, 5, 20, 14, 5))
    rows = [r for r in await outbox.new() if r.params["kind"] == "answer"]
    assert fired(rows) == alert(
        {ROADS_CHAT, ROADS_HEAD} | CURATORS, "deadline.overdue", "answer", "overdue"
    )
    assert {r.not_before for r in rows} == {msk(2026, 5, 20, 14, 5)}
    assert {r.params["importance"] for r in rows} == {"high"}


async def test_after_a_restart_missed_ladders_collapse_into_one_alert_each(
    service, make_scanner, clock, people, outbox, sessions
) -> None:
    clock.set(msk(2026, 5, 20, 10, 0))
    seen = (await service.detect(post(5))).incident.id
    await make_scanner().tick()  # this process set up the first incident's ladder, then died
    never_seen = (await service.detect(post(6))).incident.id  # detected while nobody scanned
    await outbox.new()

    restarted = make_scanner()
    report = await at(clock, restarted, msk(2026, 5, 20, 18, 5))
    rows = await outbox.new()
    # Each clock (answer due 13:00, routing due 11:00) fires once, as its latest step, to
    # everyone its skipped alerts would have reached; nothing about half-time is sent.
    assert report.fired == 4 and report.collapsed == 4 * 3
    assert Counter((r.incident_id, r.params["kind"]) for r in rows) == {
        (incident, kind): 3 for incident in (seen, never_seen) for kind in ("answer", "route")
    }
    assert {r.key for r in rows} == {"deadline.overdue_escalated"}
    assert {r.chat_id for r in rows} == CURATORS | {MANAGER}
    assert all(r.params["caught_up"] for r in rows)
    assert {r.not_before for r in rows} == {msk(2026, 5, 21, 9, 0)}  # 18:05: tomorrow 09:00
    await restarted.tick()
    assert await outbox.new() == []


async def test_met_deadline_stops_and_a_replaced_one_climbs_its_own_ladder(
    service, scanner, clock, people, outbox, sessions
) -> None:
    clock.set(msk(2026, 5, 20, 10, 0))
    incident_id = (await service.detect(post(7))).incident.id
    await scanner.tick()
    clock.set(msk(2026, 5, 20, 10, 20))
    await service.perform(
        incident_id,
        people.people["curator"],
        Route(org_codes=("parks",), topic="Парки", location="сквер"),
    )
    clock.set(msk(2026, 5, 20, 10, 25))
    await service.perform(
        incident_id, people.people["curator"], SetImportance(importance=Importance.HIGH)
    )
    await scanner.tick()
    await outbox.new()
    rows = await deadline_rows(sessions, incident_id)
    by_state = Counter((r.kind, r.state) for r in rows)
    assert by_state[(DeadlineKind.ANSWER, DeadlineState.CANCELLED)] == 1
    assert by_state[(DeadlineKind.ANSWER, DeadlineState.RUNNING)] == 1
    # The new answer clock: 2 h from 10:00, due 12:00, half-time 11:00; the old one's
    # half-time (11:30) never comes, nor anything of the met routing clock.
    await at(clock, scanner, msk(2026, 5, 20, 10, 30))
    assert [r for r in await outbox.new() if r.params["kind"] in ("route", "answer")] == []
    await at(clock, scanner, msk(2026, 5, 20, 11, 0))
    answer_rows = [r for r in await outbox.new() if r.params["kind"] == "answer"]
    assert fired(answer_rows) == alert(CURATORS | {-100300}, "deadline.reminder", "answer", "half")
    assert {r.not_before for r in answer_rows} == {msk(2026, 5, 20, 11, 0)}
    await at(clock, scanner, msk(2026, 5, 20, 11, 30))
    assert [r for r in await outbox.new() if r.params["kind"] == "answer"] == []
    # Stopped rows whose alert time passed leave the due range.
    stopped = [
        r for r in await deadline_rows(sessions, incident_id) if r.state != DeadlineState.RUNNING
    ]
    assert stopped and all(r.next_alert_at is None for r in stopped)
