"""Demo data for public programme and series pages and resources along the way.

The demo programme and its series are published, and the series gains a
first conversation that has already taken place, so a fresh install shows a
series page where someone joining late can catch up: readings before each
session, the recording and slides after the one that is over, some for
anyone and some for people with a place.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from events import limits, listings, resources
from events.models import Event, EventKind, EventStatus, Programme, Series
from events.resources import ResourceAudience, ResourceKind, ResourcePlan, ResourceTiming

BEFORE, AFTER = ResourceTiming.before.value, ResourceTiming.after.value
ANYONE, WITH_A_PLACE = ResourceAudience.public.value, ResourceAudience.registered.value


def _plan(kind: ResourceKind, timing: str, audience: str, title: str, url: str = "",
          description: str = "") -> ResourcePlan:
    return ResourcePlan(title=title, kind=kind.value, timing=timing, audience=audience,
                        url=url, description=description)


def seed_demo_pathways(session: Session, programme: Programme, series: Series) -> None:
    """Publish the programme and series, add a past first session, attach resources."""
    listings.publish(session, programme)
    listings.publish(session, series)
    upcoming = sorted(series.events, key=lambda event: event.starts_at)
    first = upcoming[0]
    opening = Event(
        programme=programme, series=series, kind=EventKind.conversation,
        title="Opening conversation: why lead without a title?",
        description="The series' first conversation: what leading from any chair means, "
                    "and why it matters in a library.",
        # The next Tuesday is at most a week away: two weeks before it is past.
        starts_at=first.starts_at - timedelta(weeks=2), duration_minutes=30,
        timezone=first.timezone, capacity=limits.DEFAULT_CAPACITY,
        status=EventStatus.completed, target_attendance=series.target_attendance,
    )
    session.add(opening)
    session.flush()
    for plan in (
        _plan(ResourceKind.reading, BEFORE, ANYONE, "Leadership is a practice, not a position",
              "https://example.org/readings/leadership-practice",
              "A short essay (10 minutes) to start from."),
        _plan(ResourceKind.recording, AFTER, ANYONE, "Recording of the conversation",
              "https://example.org/recordings/opening-conversation"),
        _plan(ResourceKind.slides, AFTER, WITH_A_PLACE, "Slides and the chat's links",
              "https://example.org/slides/opening-conversation",
              "Shared with the people who had a place."),
    ):
        resources.add_resource(session, opening, plan)
    readings = [
        _plan(ResourceKind.reading, BEFORE, ANYONE, "Three front-desk changes that stuck",
              "https://example.org/readings/front-desk-changes"),
        _plan(ResourceKind.link, BEFORE, ANYONE, "A one-page guide to telling data stories",
              "https://example.org/readings/data-stories"),
        _plan(ResourceKind.reading, BEFORE, ANYONE, "Mentoring across institutions: a checklist",
              "https://example.org/readings/mentoring-checklist"),
    ]
    for event, plan in zip(upcoming, readings, strict=False):
        resources.add_resource(session, event, plan)
    resources.add_resource(session, first, _plan(
        ResourceKind.reading, BEFORE, WITH_A_PLACE, "Pre-reading pack",
        "https://example.org/readings/pre-reading-pack",
        "Questions **to think about** before the conversation."))

