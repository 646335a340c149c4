"""Organisers' changes to a published event, and who must hear of them.

A change of time, duration or title is material to calendars (RFC 5545
§3.8.7.4): the event's SEQUENCE grows and every confirmed participant gets an
updated REQUEST for the same UID. A cancellation sends METHOD:CANCEL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import outbox
from events.booking import lock_event
from events.models import Event, EventStatus, Registration, RegistrationStatus

MATERIAL_FIELDS = ("title", "starts_at", "duration_minutes")


def _holders(session: Session, event: Event, *statuses: RegistrationStatus) -> list[Registration]:
    return list(session.execute(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status.in_(statuses))
        .order_by(Registration.id)
    ).scalars())


def update_event(session: Session, event_id: int, *, title: str | None = None,
                 starts_at: datetime | None = None,
                 duration_minutes: int | None = None) -> Event:
    """Apply material changes and queue an updated invitation to each confirmed person.

    Returns the event; its SEQUENCE grows only if something actually changed.
    """
    event = lock_event(session, event_id)
    wanted = {"title": title, "starts_at": starts_at, "duration_minutes": duration_minutes}
    changed = [name for name, value in wanted.items()
               if value is not None and getattr(event, name) != value]
    if not changed:
        return event
    for name in changed:
        setattr(event, name, wanted[name])
    event.sequence += 1
    session.flush()
    if event.status == EventStatus.published:
        for registration in _holders(session, event, RegistrationStatus.confirmed):
            outbox.enqueue_invitation(session, registration, kind="update", changed=changed)
    return event


def cancel_event(session: Session, event_id: int, reason: str) -> Event:
    """Cancel the event: CANCEL to confirmed people, a notice to the waitlist."""
    event = lock_event(session, event_id)
    if event.status == EventStatus.cancelled:
        return event
    was_public = event.status == EventStatus.published
    event.status = EventStatus.cancelled
    event.cancel_reason = reason.strip()
    event.sequence += 1
    session.flush()
    if was_public:
        for registration in _holders(session, event, RegistrationStatus.confirmed):
            outbox.enqueue_invitation(session, registration, kind="event_cancelled",
                                      method="CANCEL", reason=event.cancel_reason)
        for registration in _holders(session, event, RegistrationStatus.waitlisted):
            outbox.enqueue(session, "event_cancelled_waitlist", registration,
                           reason=event.cancel_reason)
    return event
