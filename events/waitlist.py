"""The waitlist: who waits in which order, who gets a freed seat, and when it closes.

A freed seat goes to the head of the waitlist at once, never to whoever
clicks fastest (pretix's rule), for as long as the event promotes from its
waitlist (``Event.promotes_from_waitlist``). When promotion ends with people
still waiting, they are told once that no seat came free.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from events import outbox, registrations
from events.locking import lock_event
from events.models import Event, Registration, RegistrationStatus, utcnow

WAITING = RegistrationStatus.waitlisted


def waitlist_position(session: Session, registration: Registration) -> int | None:
    """The 1-based place in the queue, or ``None`` if not waitlisted."""
    return waitlist_positions(session, [registration]).get(registration.id)


def waitlist_positions(session: Session,
                       places: Iterable[Registration]) -> dict[int, int]:
    """The 1-based queue place of each waitlisted registration among ``places``
    (any mix of events), by registration id, in one query."""
    waiting = [place.id for place in places if place.status == WAITING]
    if not waiting:
        return {}
    # Counted in the (event, status, queue number) index: reading a position
    # costs its place in the queue, but joining the queue never does (the
    # newcomer's position is the length kept on the event).
    ahead = aliased(Registration)
    count_ahead = (
        select(func.count()).where(
            ahead.event_id == Registration.event_id, ahead.status == WAITING,
            ahead.queue_number < Registration.queue_number)
        .correlate(Registration).scalar_subquery())
    return {place_id: ahead_of_it + 1 for place_id, ahead_of_it in session.execute(
        select(Registration.id, count_ahead).where(Registration.id.in_(waiting)))}


def promote_from_waitlist(session: Session, event: Event, now: datetime) -> list[Registration]:
    """Fill the event's free seats from the head of its waitlist, in arrival order.

    The caller holds the event's lock (``locking.lock_event``). Each promoted
    person gets a "you're in" e-mail with a REQUEST invitation. Nobody is
    promoted once the event has started or registration has closed.
    """
    promoted: list[Registration] = []
    while event.has_free_seat and event.promotes_from_waitlist(now):
        head = session.execute(
            select(Registration).where(Registration.event_id == event.id,
                                       Registration.status == WAITING)
            .order_by(Registration.queue_number).limit(1)
        ).scalar_one_or_none()
        if head is None:
            break
        registrations.move(session, head, RegistrationStatus.confirmed, now)
        promoted.append(head)
    return promoted


def close_waitlist(session: Session, event_id: int, now: datetime | None = None) -> int:
    """Close the waitlist of an event whose promotion has ended; tell each person once.

    Returns how many were told (0 if already closed or not yet due).
    """
    event = lock_event(session, event_id)
    now = now or utcnow()
    if not event.waitlist_due_to_close(now):
        return 0
    event.waitlist_closed_at = now
    waiting = list(session.execute(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == WAITING)
        .order_by(Registration.queue_number)
    ).scalars())
    for registration in waiting:
        outbox.enqueue(session, "waitlist_closed", registration)
    return len(waiting)


def events_with_waitlist_to_close(session: Session, now: datetime | None = None) -> list[int]:
    """Ids of published events that still have people waiting but no promotion left."""
    now = now or utcnow()
    return list(session.execute(
        select(Event.id).where(
            Event.waitlist_due_to_close(now),
            select(Registration.id).where(
                Registration.event_id == Event.id,
                Registration.status == WAITING).exists(),
        ).order_by(Event.id)
    ).scalars())
