"""Organisers' changes to a published event, and who must hear of them.

A change of time, duration or title is material to calendars (RFC 5545
§3.8.7.4): the event's SEQUENCE grows and every confirmed participant and
every accepted guest, facilitator, presenter or assistant gets an updated
REQUEST for the UID of their own invitation. A cancellation sends them
METHOD:CANCEL. Speakers accept before an event is published, so they hear of
changes to a draft too. A new meeting room is not material: invitations carry
personal join links that follow the room, so nobody's calendar changes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import outbox
from events.invitations import enqueue_for_role
from events.locking import lock_event
from events.models import (
    Event,
    EventStatus,
    InvitationStatus,
    Registration,
    RegistrationStatus,
    Role,
)

# Statuses in which accepted speakers hear of changes (participants: published only).
SPEAKERS_TOLD = (EventStatus.draft, EventStatus.published)

MATERIAL_FIELDS = ("title", "starts_at", "duration_minutes")


def _holders(session: Session, event: Event, *statuses: RegistrationStatus) -> list[Registration]:
    return list(session.execute(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status.in_(statuses))
        .order_by(Registration.id)
    ).scalars())


def accepted_roles(session: Session, event: Event) -> list[Role]:
    """The guests, facilitators, presenters and assistants who said yes."""
    return list(session.execute(
        select(Role).where(Role.event_id == event.id,
                           Role.status == InvitationStatus.accepted)
        .order_by(Role.id)
    ).scalars())


def update_event(session: Session, event_id: int, *, title: str | None = None,
                 starts_at: datetime | None = None,
                 duration_minutes: int | None = None,
                 meeting_url: str | None = None) -> Event:
    """Apply changes and queue an updated invitation to everyone taking part.

    Returns the event. Its SEQUENCE grows, and updates go out, only if the
    title, start or duration actually changed; a new ``meeting_url`` is
    stored quietly.
    """
    event = lock_event(session, event_id)
    if meeting_url is not None:
        event.meeting_url = meeting_url.strip()
    wanted = {"title": title, "starts_at": starts_at, "duration_minutes": duration_minutes}
    changed = [name for name, value in wanted.items()
               if value is not None and getattr(event, name) != value]
    if not changed:
        session.flush()
        return event
    for name in changed:
        setattr(event, name, wanted[name])
    event.sequence += 1
    session.flush()
    if event.status == EventStatus.published:
        for registration in _holders(session, event, RegistrationStatus.confirmed):
            outbox.enqueue_invitation(session, registration, kind="update", changed=changed)
    if event.status in SPEAKERS_TOLD:
        for role in accepted_roles(session, event):
            enqueue_for_role(session, role, "role_update", "REQUEST", changed=changed)
    return event


def cancel_event(session: Session, event_id: int, reason: str) -> Event:
    """Cancel the event: CANCEL to everyone taking part, a notice to the waitlist."""
    event = lock_event(session, event_id)
    if event.status == EventStatus.cancelled:
        return event
    was_public = event.status == EventStatus.published
    speakers_told = event.status in SPEAKERS_TOLD
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
    if speakers_told:
        for role in accepted_roles(session, event):
            enqueue_for_role(session, role, "role_cancelled", "CANCEL",
                             reason=event.cancel_reason)
    return event
