"""Turning an idea into a draft event or series, prefilled from it and linked both ways.

The draft is made through ``events.planning`` like any other, so the organisers
finish it in the usual form; the idea becomes ``planned`` and points at it, and
the event's page points back (``early_access.ideas_behind``). Its people hear of
it when the event is published (``early_access.open_early``), not before.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from events import ideas, planning, scheduling
from events.errors import NotOpen
from events.idea_boards import Idea, IdeaStatus
from events.models import Event, Programme, Series, utcnow

# A draft starts this far ahead, on a weekday at the start of the after-hours window.
DRAFT_LEAD = timedelta(weeks=4)


def draft_start(programme: Programme, now: datetime) -> datetime:
    """A first guess at the start, as wall-clock time in the programme's zone."""
    day: date = scheduling.to_local(now + DRAFT_LEAD, programme.timezone).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, programme.after_hours_start)


def _ready_to_plan(session: Session, idea: Idea) -> Idea:
    idea = ideas.lock_idea(session, idea.id)
    if idea.event_id is not None or idea.series_id is not None:
        raise NotOpen("This idea has already been turned into an event or a series.")
    if not idea.takes_votes:
        raise NotOpen("Only an idea that is still open can be turned into an event.")
    return idea


def _planned(session: Session, idea: Idea, what: str, now: datetime) -> None:
    if idea.status != IdeaStatus.planned:
        ideas.move_status(session, idea, IdeaStatus.planned,
                          f"The organisers are planning {what} from it.", now)


def turn_into_event(session: Session, idea: Idea, now: datetime | None = None) -> Event:
    """A draft conversation titled and described as the idea, linked to it."""
    now = now or utcnow()
    idea = _ready_to_plan(session, idea)
    programme = idea.board.programme
    event = planning.create_event(session, programme, planning.EventPlan(
        kind="conversation", title=idea.title, description=idea.body,
        starts_at_local=draft_start(programme, now)))
    idea.event_id = event.id
    _planned(session, idea, "an event", now)
    return event


def turn_into_series(session: Session, idea: Idea, now: datetime | None = None) -> Series:
    """A series titled and described as the idea, linked to it."""
    now = now or utcnow()
    idea = _ready_to_plan(session, idea)
    series = planning.save_series(session, idea.board.programme, planning.SeriesPlan(
        title=idea.title, description=idea.body))
    idea.series_id = series.id
    _planned(session, idea, "a series", now)
    return series
