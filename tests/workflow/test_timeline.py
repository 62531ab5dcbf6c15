"""The timeline: who did what when, and how each clock ended, in working time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from workflow.commands import route, submit_draft
from workflow.model import DraftKind
from workflow.timeline import format_timeline, timeline

from .conftest import ANSWER_TEXT, CURATOR, PARKS, msk
from .test_effects import full_flow

WHERE = {"topic": "Дороги", "location": "ул. Ленина"}


def test_a_deadline_met_late_says_by_how_much_working_time(flow_at):
    flow = flow_at(msk(2026, 4, 24, 17, 15))  # route due on Monday at 09:15
    flow.at(msk(2026, 4, 27, 9, 45)).do(route, CURATOR, org_codes=["parks"], **WHERE)

    entries = timeline(flow.incident, flow.events, flow.calendars)

    keys = [entry.key for entry in entries]
    assert keys == ["timeline.detect", "timeline.route", "timeline.deadline.met_late"]
    late = entries[-1]
    assert late.params["kind"] == "route"
    assert late.params["late_by_minutes"] == 30  # not the weekend in between
    assert entries[1].actor_id == CURATOR.person_id
    assert entries[1].params["org_codes"] == ["parks"]


def test_running_deadlines_show_as_overdue_when_asked_at_a_moment(flow_at):
    flow = flow_at(msk(2026, 4, 27, 9, 0))
    flow.after(minutes=10).do(route, CURATOR, org_codes=["parks"], **WHERE)
    flow.after(minutes=20).do(submit_draft, PARKS, kind=DraftKind.ANSWER, text=ANSWER_TEXT)

    entries = timeline(flow.incident, flow.events, flow.calendars, now=msk(2026, 4, 27, 14, 30))

    overdue = [e for e in entries if e.key == "timeline.deadline.overdue"]
    # At 14:30 the review (due 10:00) is 3.5 working hours late and the answer (due 12:00)
    # 1.5 hours: the lunch hour does not count. Entries are placed at the due moment.
    assert [(e.params["kind"], e.params["late_by_minutes"]) for e in overdue] == [
        ("review", 210),
        ("answer", 90),
    ]
    assert [e.at for e in entries] == sorted(e.at for e in entries)


def test_timeline_formats_with_a_translate_function(flow_at):
    flow = full_flow(flow_at)
    entries = timeline(flow.incident, flow.events, flow.calendars)

    lines = format_timeline(
        entries, lambda key, params: f"{key}:{params.get('kind', '')}", ZoneInfo("Europe/Moscow")
    )

    assert lines[0] == "27.04.2026 09:00  timeline.detect:"
    assert "27.04.2026 09:20  timeline.submit_draft.answer:answer" in lines
    assert "27.04.2026 09:30  timeline.confirm_publication.answer:answer" in lines
    assert "27.04.2026 09:30  timeline.deadline.met:answer" in lines
    assert all("text" not in entry.params for entry in entries)
