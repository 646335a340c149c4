"""Planning without repetition: a copy of an event on a new date, or a weekly run of them.

A copy keeps what the organisers wrote (kind, description, length, seats,
target, series, the showcase's prompts, the room) and the people who were on
the original, or were to be invited to it, as pending invitations
(``events.pending_invitations``):
nobody hears of a new date until an organiser sends them. Copies are drafts.

A weekly run keeps the programme's wall-clock time: a conversation at 7.30 pm
in Auckland stays at 7.30 pm there when the clocks change, so its time in
UTC moves by an hour (the attendees' own calendars follow the programme's
zone, ``events.calendar``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from events import limits, pending_invitations, planning, scheduling
from events.models import Event


@dataclass
class CopyPlan:
    """What an organiser chooses for a copy: its start (wall-clock time in the
    programme's zone) and, if they like, a new title."""

    starts_at_local: datetime | None
    title: str = ""


def copy_plan_for(event: Event, weeks_later: int = 1) -> CopyPlan:
    """The copy an organiser is offered first: the same time of day, a week later."""
    return CopyPlan(weekly_local_starts(event, weeks_later)[-1], event.title)


def weekly_local_starts(event: Event, weeks: int) -> list[datetime]:
    """The wall-clock starts, in the programme's zone, of the ``weeks`` weeks after
    ``event``: the same time of day each week, whatever the clocks do."""
    first = scheduling.to_local(event.starts_at, event.programme.timezone)
    return [first + timedelta(weeks=week) for week in range(1, weeks + 1)]


def _copy(session: Session, event: Event, title: str,
          starts_at_local: datetime | None) -> Event:
    plan = planning.EventPlan(
        kind=event.kind.value, title=title, starts_at_local=starts_at_local,
        duration_minutes=event.duration_minutes, capacity=event.capacity,
        waitlist_enabled=event.waitlist_enabled, meeting_url=event.meeting_url,
        description=event.description, target_attendance=event.target_attendance,
        series_id=event.series_id, unit_name=event.unit_name, prompt_work=event.prompt_work,
        prompt_challenges=event.prompt_challenges, prompt_direction=event.prompt_direction,
        book_title=event.book_title, recorded=event.recorded)
    copy = planning.create_event(session, event.programme, plan)
    copy.listed = event.listed
    pending_invitations.copy_roles(session, event.roles, copy)
    pending_invitations.copy_pending(session, event, copy)
    return copy


def duplicate(session: Session, event: Event, plan: CopyPlan) -> Event:
    """A draft copy of ``event`` at the start the organiser chose, its people pending."""
    return _copy(session, event, plan.title or event.title, plan.starts_at_local)


def repeat_weekly(session: Session, event: Event, weeks: object) -> list[Event]:
    """Draft copies of ``event`` in each of the ``weeks`` weeks after it, at the same
    wall-clock time in the programme's zone; their people pending."""
    count = limits.REPEAT_WEEKS.check(weeks, "weeks", "number of weeks")
    return [_copy(session, event, event.title, start)
            for start in weekly_local_starts(event, count)]
