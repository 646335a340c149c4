"""Taking places, giving them back, and changing how many there are.

Capacity is the database's to enforce: the seat counter only moves through a
guarded ``UPDATE … WHERE seats_taken < capacity`` (``Event.has_free_seat``),
so two requests for the last seat cannot both get it.

A new RSVP, for a seat or for the back of the waitlist, is placed by the
prepared path (``events.prepared_rsvp``): a few statements that serialise on
the event's row themselves (SQLite's write lock; on PostgreSQL a row lock
taken inside its one statement). Every other change (a repeat, a return, a
cancellation, a promotion, a new capacity, and any RSVP the prepared path
leaves, such as one to a closed event) first locks the event
(``locking.lock_event``), re-reads what it acts on, and moves statuses
through ``registrations.move``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from events import limits, prepared_rsvp, registrations, waitlist
from events.errors import InvalidInput, NotFound, NotOpen
from events.locking import lock_event, raise_busy_if_lock_timeout
from events.models import Event, EventStatus, Person, Registration, RegistrationStatus, utcnow
from events.people import clean_email, clean_name


@dataclass(frozen=True)
class Booking:
    """The outcome of an RSVP: which registration, its status, and whether it is new."""

    registration_id: int
    event_id: int
    status: RegistrationStatus
    created: bool
    position: int | None
    session: Session = field(repr=False, compare=False)

    @property
    def registration(self) -> Registration:
        """The registration itself (from the session's identity map when loaded)."""
        return self.session.get_one(Registration, self.registration_id)

    @classmethod
    def of(cls, session: Session, registration: Registration, created: bool,
           position: int | None = None) -> Booking:
        if position is None and registration.status == RegistrationStatus.waitlisted:
            position = waitlist.waitlist_position(session, registration)
        return cls(registration.id, registration.event_id, registration.status, created,
                   position, session)


def check_open(event: Event, now: datetime) -> None:
    """Refuse registrations, with the reason, unless the event takes them at ``now``.

    The rule itself is ``Event.takes_registrations``; a draft is not found at all.
    """
    if event.status == EventStatus.draft:
        raise NotFound("There is no such event.")
    reason = event.closed_reason(now)
    if reason is not None:
        raise NotOpen(reason)


def register(session: Session, event_id: int, name: object, email: object,
             now: datetime | None = None) -> Booking:
    """RSVP ``email`` to the event: a confirmed seat while any remain, else the waitlist.

    The same e-mail again returns its existing place unchanged. A person who
    had cancelled takes a seat if one is free and otherwise joins the back of
    the waitlist. The confirmation or waitlist notice is queued in the outbox
    in the same transaction.
    """
    try:
        person_name, address = clean_name(name), clean_email(email)
    except InvalidInput:
        # An unknown event is the better answer than a complaint about the form.
        _require_event(session, event_id)
        raise
    try:
        attempt = prepared_rsvp.try_to_place(session, event_id, address, person_name,
                                             now or utcnow())
    except IntegrityError:
        # The only constraint that can fail is the event's foreign key.
        raise NotFound("There is no such event.") from None
    except OperationalError as error:
        raise_busy_if_lock_timeout(error)
        raise
    if attempt.registration_id is not None and attempt.status is not None:
        _forget_counters(session, event_id)
        return Booking(attempt.registration_id, event_id, attempt.status, True,
                       attempt.position, session)
    return _register_under_lock(session, event_id, attempt.person_id, now)


def _register_under_lock(session: Session, event_id: int, person_id: int,
                         given_now: datetime | None) -> Booking:
    """What the prepared path left: a repeat, a return after cancelling, a full or
    closed event (or one whose seat came free meanwhile), settled under the lock."""
    event = lock_event(session, event_id)
    registration = session.execute(
        select(Registration).where(Registration.event_id == event_id,
                                   Registration.person_id == person_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if registration is not None and registration.status != RegistrationStatus.cancelled:
        # The contract: a repeat answers with the existing place, open or not.
        return Booking.of(session, registration, created=False)
    # Read the clock only under the lock: a request that waited for it must
    # queue behind the one that held it, not ahead with an earlier time.
    now = given_now or utcnow()
    check_open(event, now)
    if registration is None:
        registration = Registration(event=event, person=session.get_one(Person, person_id))
    return _place(session, event, registration, now)


def _place(session: Session, event: Event, registration: Registration,
           now: datetime) -> Booking:
    # While registration is open, promotion keeps every free seat filled from
    # the waitlist, so a free seat here means nobody is waiting for it.
    to = (RegistrationStatus.confirmed if event.has_free_seat
          else RegistrationStatus.waitlisted)
    moved = registrations.move(session, registration, to, now)
    return Booking.of(session, moved.registration, created=True, position=moved.position)


def _require_event(session: Session, event_id: int) -> None:
    status = session.execute(select(Event.status).where(Event.id == event_id)).scalar()
    if status is None or status == EventStatus.draft:
        raise NotFound("There is no such event.")


def _forget_counters(session: Session, event_id: int) -> None:
    # The counters moved under the ORM's feet; a loaded Event must re-read them.
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Event) and loaded.id == event_id:
            session.expire(loaded, ["seats_taken", "waitlist_length", "last_queue_number"])


def rejoin(session: Session, registration_id: int, now: datetime | None = None) -> Booking:
    """Take a place again after cancelling: a seat if one is free, else the back of the queue.

    A registration that is not cancelled is returned unchanged.
    """
    event = lock_event(session, _event_id_of(session, registration_id))
    now = now or utcnow()
    registration = _fresh_registration(session, registration_id)
    if registration.status != RegistrationStatus.cancelled:
        return Booking.of(session, registration, created=False)
    check_open(event, now)
    return _place(session, event, registration, now)


def cancel(session: Session, registration_id: int, now: datetime | None = None) -> Registration:
    """Give back a place or leave the waitlist, in one transaction.

    A freed seat goes at once to the head of the waitlist (while promotion is
    open); the canceller's calendar gets a METHOD:CANCEL for the same UID.
    Cancelling twice changes nothing.
    """
    event = lock_event(session, _event_id_of(session, registration_id))
    now = now or utcnow()
    registration = _fresh_registration(session, registration_id)
    if registration.status == RegistrationStatus.cancelled:
        return registration
    if registration.status not in (RegistrationStatus.confirmed, RegistrationStatus.waitlisted):
        raise NotOpen("This event is over; your place can no longer be changed.")
    moved = registrations.move(session, registration, RegistrationStatus.cancelled, now)
    if moved.frees_seat:
        waitlist.promote_from_waitlist(session, event, now)
    return registration


def promote_by_hand(session: Session, registration_id: int,
                    now: datetime | None = None) -> Registration:
    """An organiser gives a free seat to a chosen person on the waitlist, out of turn.

    Refuses (``NotOpen``) unless the person is waiting, a seat is free and
    promotion is still open.
    """
    lock_event(session, _event_id_of(session, registration_id))
    now = now or utcnow()
    registration = _fresh_registration(session, registration_id)
    if registration.status != RegistrationStatus.waitlisted:
        raise NotOpen("Only a person on the waitlist can be given a seat.")
    registrations.move(session, registration, RegistrationStatus.confirmed, now)
    return registration


def change_capacity(session: Session, event_id: int, capacity: object,
                    now: datetime | None = None) -> Event:
    """Set the number of seats; raising it promotes from the waitlist in order.

    Lowering it below the people already confirmed removes nobody: the event
    is simply full until enough of them cancel.
    """
    capacity = limits.CAPACITY.check(capacity, "capacity", "capacity")
    event = lock_event(session, event_id)
    now = now or utcnow()
    event.capacity = capacity
    session.flush()
    waitlist.promote_from_waitlist(session, event, now)
    return event


def _event_id_of(session: Session, registration_id: int) -> int:
    event_id = session.execute(
        select(Registration.event_id).where(Registration.id == registration_id)
    ).scalar_one_or_none()
    if event_id is None:
        raise NotFound("There is no such registration.")
    return event_id


def _fresh_registration(session: Session, registration_id: int) -> Registration:
    # Re-read under the event's lock: another request may have changed it meanwhile.
    return session.execute(
        select(Registration).where(Registration.id == registration_id)
        .execution_options(populate_existing=True)
    ).scalar_one()
