"""What falls due with the clock: reminders before an event, closing waitlists, and
asking for feedback after it (``events.feedback_requests``).

Each programme sets its reminder offsets in minutes (24 hours and 1 hour by
default). A reminder goes to people confirmed at the time it falls due, once:
the pair (registration, offset) is unique in the ``reminders`` table and is
inserted in the same transaction as the outbox message, so of two workers
racing to queue it the database lets exactly one through. A worker that was
down sends only the latest reminder that fell due, not a burst of stale ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from events import feedback_requests, limits, outbox, speaker_reminders, waitlist
from events.models import (
    Event,
    EventStatus,
    Programme,
    Registration,
    RegistrationStatus,
    SentReminder,
    utcnow,
)
from events.site import Site


@dataclass(frozen=True)
class DueWork:
    """What one pass queued: reminders, people told their waitlist closed, feedback."""

    reminders: int
    waitlist_notices: int
    # Unanswered invitations and briefings (``events.speaker_reminders``).
    speaker_reminders: int = 0
    feedback: feedback_requests.Asked = feedback_requests.NOTHING_ASKED


def run_due(session: Session, now: datetime | None = None, site: Site | None = None
            ) -> DueWork:
    """Queue every reminder due at ``now``, close waitlists whose promotion has ended,
    and (given the ``site``, whose secret tells who answered) ask for feedback.

    The caller commits. Safe to run from several workers at once.
    """
    now = now or utcnow()
    reminders = queue_due_reminders(session, now)
    notices = sum(waitlist.close_waitlist(session, event_id, now)
                  for event_id in waitlist.events_with_waitlist_to_close(session, now))
    asked = (feedback_requests.run_due(session, site, now) if site is not None
             else feedback_requests.NOTHING_ASKED)
    return DueWork(reminders, notices, speaker_reminders.queue_due(session, now), asked)


def reminder_offsets(programme: Programme) -> list[int]:
    """The programme's valid offsets in minutes, largest (earliest reminder) first."""
    raw = programme.reminder_offsets or []
    # Offsets outside the limits are ignored rather than trusted.
    valid = {value for value in raw if value in limits.REMINDER_OFFSET}
    return sorted(valid, reverse=True)


def queue_due_reminders(session: Session, now: datetime | None = None) -> int:
    """Queue the reminders due at ``now``; return how many were queued."""
    now = now or utcnow()
    offsets = {programme.id: reminder_offsets(programme)
               for programme in session.execute(select(Programme)).scalars()}
    horizon = max((values[0] for values in offsets.values() if values), default=0)
    if horizon == 0:
        return 0
    events = session.execute(
        select(Event).where(Event.status == EventStatus.published, Event.starts_at > now,
                            Event.starts_at <= now + timedelta(minutes=horizon))
        .order_by(Event.id)
    ).scalars().all()
    queued = 0
    for event in events:
        due = [offset for offset in offsets.get(event.programme_id, [])
               if event.starts_at - timedelta(minutes=offset) <= now]
        if due:
            queued += _remind_event(session, event, due)
    return queued


def _remind_event(session: Session, event: Event, due: list[int]) -> int:
    latest = min(due)
    waiting = session.execute(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.confirmed,
            ~select(SentReminder.id).where(
                SentReminder.registration_id == Registration.id,
                SentReminder.offset_minutes == latest).exists(),
        ).order_by(Registration.id)
    ).scalars().all()
    queued = 0
    for registration in waiting:
        remind_at = event.starts_at - timedelta(minutes=latest)
        confirmed_at = registration.confirmed_at or registration.created_at
        # Someone who took their seat after this reminder fell due has just
        # had the confirmation; a reminder on its heels would be noise.
        wanted = latest if confirmed_at <= remind_at else None
        # Largest offset first, in every worker alike, so racing inserts
        # wait on each other in one order and cannot deadlock.
        for offset in sorted(due, reverse=True):
            inserted = _claim(session, registration.id, offset, sent=offset == wanted)
            if inserted and offset == wanted:
                outbox.enqueue(session, "reminder", registration, offset_minutes=offset)
                queued += 1
    return queued


def _claim(session: Session, registration_id: int, offset: int, sent: bool) -> bool:
    """Insert the (registration, offset) pair; False if another worker already did."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    row = session.execute(
        insert(SentReminder)
        .values(registration_id=registration_id, offset_minutes=offset, sent=sent,
                queued_at=utcnow())
        .on_conflict_do_nothing(index_elements=["registration_id", "offset_minutes"])
        .returning(SentReminder.id)
    ).first()
    return row is not None
