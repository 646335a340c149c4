"""Taking, giving back and handing on places at an event.

Capacity is the database's to enforce. Every change to an event's places
first locks that event's row (``SELECT … FOR UPDATE`` on PostgreSQL; the
database write lock on SQLite, whose first write in a transaction takes it),
then re-reads and acts, and the seat counter only moves through a guarded
``UPDATE … WHERE seats_taken < capacity``. Two requests for the last seat are
therefore served one after the other, never side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from events import outbox
from events.errors import Busy, NotFound, NotOpen
from events.models import Event, EventStatus, Registration, RegistrationStatus, utcnow
from events.people import clean_email, clean_name, person_for


@dataclass(frozen=True)
class Booking:
    """The outcome of an RSVP: the registration and whether it is new."""

    registration: Registration
    created: bool
    position: int | None

    @property
    def status(self) -> RegistrationStatus:
        return self.registration.status


def lock_event(session: Session, event_id: int) -> Event:
    """Lock the event's row for the rest of the transaction and return it fresh.

    Raises ``NotFound`` for an unknown id and ``Busy`` when the lock cannot be
    had within the database's lock timeout.
    """
    try:
        if session.get_bind().dialect.name == "sqlite":
            # A no-op write takes SQLite's single write lock now rather than at
            # the first real write, so the reads below are already serialised.
            session.execute(
                update(Event).where(Event.id == event_id)
                .values(seats_taken=Event.seats_taken)
                .execution_options(synchronize_session=False)
            )
        event = session.execute(
            select(Event).where(Event.id == event_id).with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
    except OperationalError as error:
        if _is_lock_timeout(error):
            raise Busy("Many people are booking right now; please try again.") from error
        raise
    if event is None:
        raise NotFound("There is no such event.")
    return event


def _is_lock_timeout(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "locked" in text or "lock timeout" in text or "canceling statement" in text


def check_open(event: Event, now: datetime) -> None:
    """Refuse registrations for events that are not taking them at ``now``."""
    if event.status == EventStatus.draft:
        raise NotFound("There is no such event.")
    if event.status == EventStatus.cancelled:
        raise NotOpen("This event has been cancelled.")
    if event.status != EventStatus.published:
        raise NotOpen("This event is not open for registration.")
    if event.starts_at <= now:
        raise NotOpen("This event has already started.")
    if event.registration_closes_at is not None and event.registration_closes_at <= now:
        raise NotOpen("Registration for this event has closed.")


def register(session: Session, event_id: int, name: object, email: object,
             now: datetime | None = None) -> Booking:
    """RSVP ``email`` to the event: a confirmed seat while any remain, else the waitlist.

    The same e-mail again returns its existing place unchanged. A person who
    had cancelled takes a seat if one is free and otherwise joins the back of
    the waitlist. The confirmation or waitlist notice is queued in the outbox
    in the same transaction.
    """
    now = now or utcnow()
    event = lock_event(session, event_id)
    clean = clean_name(name), clean_email(email)
    check_open(event, now)
    person = person_for(session, clean[1], clean[0])
    registration = session.execute(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.person_id == person.id)
    ).scalar_one_or_none()
    if registration is not None and registration.status != RegistrationStatus.cancelled:
        position = waitlist_position(session, registration)
        return Booking(registration, created=False, position=position)

    seat = _take_seat(session, event)
    if not seat and not event.waitlist_enabled:
        raise NotOpen("This event is full.")
    status = RegistrationStatus.confirmed if seat else RegistrationStatus.waitlisted
    if registration is None:
        registration = Registration(event=event, person=person, status=status, queued_at=now)
        session.add(registration)
    else:
        registration.status = status
        registration.queued_at = now
        registration.sequence += 1
    session.flush()
    position = waitlist_position(session, registration)
    if seat:
        outbox.enqueue_invitation(session, registration, kind="confirmation")
    else:
        outbox.enqueue(session, "waitlisted", registration, position=position)
    return Booking(registration, created=True, position=position)


def _take_seat(session: Session, event: Event) -> bool:
    taken = session.execute(
        update(Event)
        .where(Event.id == event.id, Event.seats_taken < Event.capacity)
        .values(seats_taken=Event.seats_taken + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(event, ["seats_taken"])
    return taken == 1


def waitlist_position(session: Session, registration: Registration) -> int | None:
    """Return the 1-based place in the queue, or ``None`` if not waitlisted."""
    if registration.status != RegistrationStatus.waitlisted:
        return None
    ahead = session.execute(
        select(func.count()).select_from(Registration).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.waitlisted,
            or_(Registration.queued_at < registration.queued_at,
                and_(Registration.queued_at == registration.queued_at,
                     Registration.id < registration.id)),
        )
    ).scalar_one()
    return ahead + 1


def waitlist_count(session: Session, event_id: int) -> int:
    """Return how many people wait for a place at the event."""
    return session.execute(
        select(func.count()).select_from(Registration).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.waitlisted,
        )
    ).scalar_one()
