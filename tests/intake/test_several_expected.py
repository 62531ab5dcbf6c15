"""п.19 at the intake: a post the topic rules give to several organisations starts the
curator's 30-minute routing clock (with its reminder and alert), not п.10's hour."""

from __future__ import annotations

from datetime import timedelta

from bot.intake.service import IntakeService
from bot.intake.triage import TopicRule, TriageRules
from workflow.model import DeadlineKind, Party, Post, Source

RULES = TriageRules(
    topics=[
        TopicRule("Двор", ("двор",), ("roads", "parks")),
        TopicRule("Дороги", ("дорог",), ("roads",)),
    ]
)


async def routing_clock(intake: IntakeService, text: str, url: str):
    submission = await intake.submit(Post(Source.VK, url, text))
    assert submission.view is not None
    (clock,) = [d for d in submission.view.incident.deadlines if d.kind is DeadlineKind.ROUTE]
    return clock


async def test_p19_several_organisations_expected_route_clock_is_30_minutes(
    service, sessions, clock, people
) -> None:
    intake = IntakeService(service, sessions, clock, RULES)
    calendars = await service.calendars()

    several = await routing_clock(intake, "Во дворе яма и нет света", "https://vk.com/wall-1_71")
    single = await routing_clock(intake, "Разбита дорога на Ленина", "https://vk.com/wall-1_72")

    half_hour = calendars.add(Party.CENTRE, None, several.started_at, timedelta(minutes=30))
    hour = calendars.add(Party.CENTRE, None, single.started_at, timedelta(hours=1))
    assert (several.due_at, single.due_at) == (half_hour, hour)
