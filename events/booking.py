"""Taking, giving back and handing on places at an event.

Capacity is the database's to enforce. Every change to an event's places
first locks that event's row (``SELECT … FOR UPDATE`` on PostgreSQL; the
database write lock on SQLite, whose first write in a transaction takes it),
then re-reads and acts, and the seat counter only moves through a guarded
``UPDATE … WHERE seats_taken < capacity``. Two requests for the last seat are
therefore served one after the other, never side by side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    Integer,
    and_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, aliased

from events import limits, outbox
from events.calendar import invitation_sequence
from events.errors import Busy, InvalidInput, NotFound, NotOpen
from events.models import (
    Event,
    EventStatus,
    Person,
    Registration,
    RegistrationStatus,
    new_manage_nonce,
    utcnow,
)
from events.people import clean_email, clean_name
from events.prepared import Prepared


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
    def of(cls, session: Session, registration: Registration, created: bool) -> Booking:
        return cls(registration.id, registration.event_id, registration.status, created,
                   waitlist_position(session, registration), session)


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
                .values(seats_taken=Event.seats_taken, updated_at=Event.updated_at)
                .execution_options(synchronize_session=False)
            )
        # NO KEY UPDATE, not UPDATE: an RSVP's INSERT holds KEY SHARE on the
        # event through its foreign key, and FOR UPDATE would wait on that and
        # deadlock two requests that each inserted before locking.
        event = session.execute(
            # (SQLAlchemy spells FOR NO KEY UPDATE as key_share=True.)
            select(Event).where(Event.id == event_id).with_for_update(key_share=True)
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

    This is the busiest write in Mingle, so a new RSVP runs as a few prepared
    statements (one on PostgreSQL): on SQLite the write lock is held from the
    first of them to the commit, and the shorter that is, the more RSVPs a
    second.
    """
    try:
        person_name, address = clean_name(name), clean_email(email)
    except InvalidInput:
        # An unknown event is the better answer than a complaint about the form.
        _require_event(session, event_id)
        raise
    given_now = now
    connection = session.connection()
    try:
        person_id, person_name, registration_id, seated = _try_for_seat(
            session, connection, event_id, address, person_name, given_now or utcnow())
    except IntegrityError:
        # The only constraint that can fail is the event's foreign key.
        raise NotFound("There is no such event.") from None
    except OperationalError as error:
        if _is_lock_timeout(error):
            raise Busy("Many people are booking right now; please try again.") from error
        raise
    if registration_id is None:
        return _register_again(session, event_id, person_id, given_now)
    if not seated:
        return _full_or_closed(session, event_id, registration_id, address, person_name,
                               person_id, given_now)
    _forget_seat_count(session, event_id)
    return Booking(registration_id, event_id, RegistrationStatus.confirmed, True, None, session)


def _try_for_seat(session: Session, connection: Connection, event_id: int, email: str,
                  name: str, now: datetime) -> tuple[int, str, int | None, bool]:
    """Optimistically, a confirmed place: the person (added if new), a registration,
    a seat and the confirmation message, with no lock on the event.

    Returns the person's id and stored name, the new registration's id (None if
    they were registered already) and whether a seat was taken (if not, the
    event was full or closed, and the caller settles that under its lock).
    """
    if connection.dialect.name == "postgresql":
        # One round trip instead of four: the same steps as below, as one statement.
        row = _TRY_FOR_SEAT_AT_ONCE.first(connection, {
            "event_id": event_id, "email": email, "name": name,
            "manage_nonce": new_manage_nonce(), "now": now})
        if row[3] is not None:
            outbox.note_queued(session)
        return row[0], row[1], row[2], row[3] is not None
    # SQLite: the write lock is held from the first of these statements to the
    # commit, and each statement lets other threads in meanwhile (the driver
    # releases the GIL to run it). So: no RETURNING (reading a returned row
    # costs one more such step), the row ids from the driver, and the event's
    # SEQUENCE read by the INSERT of the message itself.
    person_id, person_name = _person_row(connection, email, name, now)
    added = _ADD_REGISTRATION.run(connection, {
        "event_id": event_id, "person_id": person_id, "now": now})
    if not added.rowcount:
        return person_id, person_name, None, False
    if not _TAKE_SEAT_IF_OPEN.run(connection, {"event_id": event_id, "now": now}).rowcount:
        return person_id, person_name, added.lastrowid, False
    _queue_confirmation(session, connection, email, person_name, event_id, added.lastrowid,
                        person_id, now)
    return person_id, person_name, added.lastrowid, True


def _queue_confirmation(session: Session, connection: Connection, email: str, name: str,
                        event_id: int, registration_id: int, person_id: int,
                        now: datetime) -> None:
    _QUEUE_CONFIRMATION.run(connection, {
        "email": email, "name": name, "event_id": event_id,
        "registration_id": registration_id, "person_id": person_id, "now": now})
    outbox.note_queued(session)


def _register_again(session: Session, event_id: int, person_id: int,
                    given_now: datetime | None) -> Booking:
    """An RSVP from someone already registered: their place, or a return after cancelling."""
    event = lock_event(session, event_id)
    registration = session.execute(
        select(Registration).where(Registration.event_id == event_id,
                                   Registration.person_id == person_id)
        .execution_options(populate_existing=True)
    ).scalar_one()
    if registration.status != RegistrationStatus.cancelled:
        # The contract: a repeat answers with the existing place, open or not.
        return Booking.of(session, registration, created=False)
    now = given_now or utcnow()
    check_open(event, now)
    return _place(session, event, registration, registration.person, now)


def _full_or_closed(session: Session, event_id: int, registration_id: int, email: str,
                    name: str, person_id: int, given_now: datetime | None) -> Booking:
    """No seat was free (or the event is not open): decide under the event's lock."""
    event = lock_event(session, event_id)
    # Read the clock only under the lock: a request that waited for it must
    # queue behind the one that held it, not ahead with an earlier queued_at.
    now = given_now or utcnow()
    check_open(event, now)
    connection = session.connection()
    # A seat may have been given back while this request waited for the lock.
    if _TAKE_SEAT_IF_OPEN.run(connection, {"event_id": event_id, "now": now}).rowcount:
        _queue_confirmation(session, connection, email, name, event_id, registration_id,
                            person_id, now)
        _forget_seat_count(session, event_id)
        return Booking(registration_id, event_id, RegistrationStatus.confirmed, True, None,
                       session)
    if not event.waitlist_enabled:
        raise NotOpen("This event is full.")
    queued_at = _back_of_queue(session, event_id, now)
    connection.execute(
        update(_registrations).where(_registrations.c.id == registration_id)
        .values(status=RegistrationStatus.waitlisted, queued_at=queued_at, confirmed_at=None))
    position = _rank(session, event_id, queued_at, registration_id)
    outbox.enqueue_row(session, "waitlisted", email=email, name=name, event_id=event_id,
                       registration_id=registration_id, person_id=person_id,
                       context={"position": position}, now=now)
    return Booking(registration_id, event_id, RegistrationStatus.waitlisted, True, position,
                   session)


# The RSVP's statements, compiled once and run on the driver's cursor: on
# SQLite they run under the database's one write lock, where every
# microsecond of overhead is a microsecond that all other writers wait.
_events, _registrations, _people = Event.__table__, Registration.__table__, Person.__table__


# A registration the prepared RSVP inserts has made no changes of its own yet.
NEW_REGISTRATION_SEQUENCE = 0


def _invitation_context(dialect: str, event_sequence: ColumnElement[Any]) -> ColumnElement[Any]:
    """A new registration's confirmation context, {"method": "REQUEST", "sequence": n},
    built in SQL from the event's SEQUENCE by the one rule."""
    build = func.json_build_object if dialect == "postgresql" else func.json_object
    return build("method", "REQUEST", "sequence",
                 invitation_sequence(event_sequence, literal(NEW_REGISTRATION_SEQUENCE)))


_TAKE_SEAT_IF_OPEN = Prepared(lambda _dialect: (
    update(_events)
    .where(_events.c.id == bindparam("event_id"), Event.offers_seat(bindparam("now")))
    # Seats are not part of any calendar: leave updated_at (LAST-MODIFIED) alone.
    .values(seats_taken=_events.c.seats_taken + 1, updated_at=_events.c.updated_at)
), keys=())
# The confirmation reads the event's SEQUENCE itself, under the lock the
# seat's UPDATE took, rather than through a RETURNING row (see _try_for_seat).
_QUEUE_CONFIRMATION = Prepared(lambda dialect: outbox.insert_from(select(
    literal("confirmation"), bindparam("email", type_=_people.c.email.type),
    bindparam("name", type_=_people.c.name.type), bindparam("event_id", type_=Integer),
    bindparam("registration_id", type_=Integer), bindparam("person_id", type_=Integer),
    _invitation_context(dialect, select(_events.c.sequence).where(
        _events.c.id == bindparam("event_id", type_=Integer)).scalar_subquery()),
    bindparam("now", type_=_registrations.c.queued_at.type))), keys=())


def _add_registration(_dialect: str) -> Executable:
    """SQLite: a confirmed registration, unless the person has one for the event."""
    now = bindparam("now", type_=_registrations.c.queued_at.type)
    return sqlite_insert(_registrations).values(
        status=literal(RegistrationStatus.confirmed, _registrations.c.status.type),
        sequence=literal(NEW_REGISTRATION_SEQUENCE), queued_at=now, confirmed_at=now,
        created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["event_id", "person_id"])


# SQLite's optimistic RSVP (PostgreSQL's is _TRY_FOR_SEAT_AT_ONCE below).
_ADD_REGISTRATION = Prepared(_add_registration, keys=("event_id", "person_id"))
_PERSON_BY_EMAIL = Prepared(lambda _dialect: select(_people.c.id, _people.c.name).where(
    _people.c.email == bindparam("email")), keys=())
_ADD_PERSON = Prepared(lambda _dialect: (
    sqlite_insert(_people).on_conflict_do_nothing(index_elements=["email"])
), keys=("email", "name", "manage_nonce", "created_at"))


def _try_for_seat_at_once(_dialect: str) -> Executable:
    """PostgreSQL: ``_try_for_seat`` as one statement of data-modifying CTEs.

    Each step sees the rows the previous one returned: no registration (already
    registered) takes no seat, and no seat queues no message. The person upsert
    updates on conflict, rather than doing nothing, so that it returns the row
    even when another transaction added that person a moment ago.
    """
    now = bindparam("now", type_=_registrations.c.queued_at.type)
    event_id = bindparam("event_id", type_=Integer)
    add_person = pg_insert(_people).values(
        email=bindparam("email"), name=bindparam("name"),
        manage_nonce=bindparam("manage_nonce"), created_at=now)
    person = (add_person.on_conflict_do_update(index_elements=["email"],
                                               set_={"email": add_person.excluded.email})
              .returning(_people.c.id, _people.c.name).cte("person"))
    registration = (
        pg_insert(_registrations).from_select(
            ["event_id", "person_id", "status", "queued_at", "sequence", "confirmed_at",
             "created_at", "updated_at"],
            select(event_id, person.c.id,
                   literal(RegistrationStatus.confirmed, _registrations.c.status.type),
                   now, literal(NEW_REGISTRATION_SEQUENCE), now, now, now))
        .on_conflict_do_nothing(index_elements=["event_id", "person_id"])
        .returning(_registrations.c.id).cte("registration"))
    seat = (
        update(_events)
        .where(_events.c.id == event_id, Event.offers_seat(now),
               exists(select(registration.c.id)))
        .values(seats_taken=_events.c.seats_taken + 1, updated_at=_events.c.updated_at)
        .returning(_events.c.sequence).cte("seat"))
    message = outbox.insert_from(select(
        literal("confirmation"), bindparam("email", type_=_people.c.email.type), person.c.name,
        event_id, registration.c.id, person.c.id,
        _invitation_context("postgresql", seat.c.sequence),
        now).select_from(person.join(registration, true()).join(seat, true()))).cte("message")
    return (
        select(person.c.id, person.c.name, registration.c.id, seat.c.sequence)
        .select_from(person.outerjoin(registration, true()).outerjoin(seat, true()))
        .add_cte(message))


_TRY_FOR_SEAT_AT_ONCE = Prepared(_try_for_seat_at_once, keys=())


def _require_event(session: Session, event_id: int) -> None:
    status = session.execute(select(Event.status).where(Event.id == event_id)).scalar()
    if status is None or status == EventStatus.draft:
        raise NotFound("There is no such event.")


def _person_row(connection: Connection, email: str, name: str,
                now: datetime) -> tuple[int, str]:
    """The person's id and name, adding them if new (an upsert, so that two
    first RSVPs from one address arriving together cannot collide)."""
    added = _ADD_PERSON.run(connection, {"email": email, "name": name,
                                         "manage_nonce": new_manage_nonce(),
                                         "created_at": now})
    if added.rowcount:
        return added.lastrowid, name
    known = _PERSON_BY_EMAIL.first(connection, {"email": email})
    return known[0], known[1]


def _forget_seat_count(session: Session, event_id: int) -> None:
    # The counter moved under the ORM's feet; a loaded Event must re-read it.
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Event) and loaded.id == event_id:
            session.expire(loaded, ["seats_taken"])


def rejoin(session: Session, registration_id: int, now: datetime | None = None) -> Booking:
    """Take a place again after cancelling: a seat if one is free, else the back of the queue.

    A registration that is not cancelled is returned unchanged.
    """
    event_id = _event_id_of(session, registration_id)
    event = lock_event(session, event_id)
    now = now or utcnow()
    registration = _fresh_registration(session, registration_id)
    if registration.status != RegistrationStatus.cancelled:
        return Booking.of(session, registration, created=False)
    check_open(event, now)
    return _place(session, event, registration, registration.person, now)


def _place(session: Session, event: Event, registration: Registration | None,
           person: Person, now: datetime) -> Booking:
    # While registration is open, promotion keeps every free seat filled from
    # the waitlist, so a free seat here means nobody is waiting for it.
    seat = _take_seat(session, event)
    if not seat and not event.waitlist_enabled:
        raise NotOpen("This event is full.")
    status = RegistrationStatus.confirmed if seat else RegistrationStatus.waitlisted
    queued_at = now if seat else _back_of_queue(session, event.id, now)
    if registration is None:
        registration = Registration(event=event, person=person, status=status,
                                    queued_at=queued_at)
        session.add(registration)
    else:
        registration.status = status
        registration.queued_at = queued_at
        # RFC 5546 §2.1.4: a new REQUEST after a CANCEL needs a higher SEQUENCE.
        registration.sequence += 1
    registration.confirmed_at = now if seat else None
    session.flush()
    position = waitlist_position(session, registration)
    if seat:
        outbox.enqueue_invitation(session, registration, kind="confirmation")
    else:
        outbox.enqueue(session, "waitlisted", registration, position=position)
    return Booking(registration.id, event.id, status, True, position, session)


def _back_of_queue(session: Session, event_id: int, now: datetime) -> datetime:
    """A queue time after everyone already waiting, even if clocks disagree or tie.

    Positions are ranks by (queued_at, id); a returning person keeps an old,
    small id, so on a tie with ``now`` they would jump ahead of newer arrivals.
    """
    last = session.execute(
        select(func.max(Registration.queued_at)).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.waitlisted)
    ).scalar_one()
    if last is None:
        return now
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return max(now, last + timedelta(microseconds=1))


def _take_seat(session: Session, event: Event) -> bool:
    taken = session.execute(
        update(Event)
        .where(Event.id == event.id, Event.seats_taken < Event.capacity)
        .values(seats_taken=Event.seats_taken + 1, updated_at=Event.updated_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(event, ["seats_taken"])
    return taken == 1


def waitlist_position(session: Session, registration: Registration) -> int | None:
    """Return the 1-based place in the queue, or ``None`` if not waitlisted."""
    if registration.status != RegistrationStatus.waitlisted:
        return None
    return _rank(session, registration.event_id, registration.queued_at, registration.id)


def waitlist_positions(session: Session,
                       registrations: Iterable[Registration]) -> dict[int, int]:
    """The 1-based queue place of each waitlisted registration among ``registrations``
    (any mix of events), by registration id, in one query."""
    waiting = [registration.id for registration in registrations
               if registration.status == RegistrationStatus.waitlisted]
    if not waiting:
        return {}
    ahead = aliased(Registration)
    count_ahead = (
        select(func.count()).where(
            ahead.event_id == Registration.event_id,
            ahead.status == RegistrationStatus.waitlisted,
            or_(ahead.queued_at < Registration.queued_at,
                and_(ahead.queued_at == Registration.queued_at, ahead.id < Registration.id)))
        .correlate(Registration).scalar_subquery())
    return {registration_id: ahead_of_it + 1 for registration_id, ahead_of_it in session.execute(
        select(Registration.id, count_ahead).where(Registration.id.in_(waiting)))}


def _rank(session: Session, event_id: int, queued_at: datetime, registration_id: int) -> int:
    ahead = session.execute(
        select(func.count()).select_from(Registration).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.waitlisted,
            or_(Registration.queued_at < queued_at,
                and_(Registration.queued_at == queued_at, Registration.id < registration_id)),
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
    if event.starts_at <= now:
        raise NotOpen("This event has already started.")
    was_confirmed = registration.status == RegistrationStatus.confirmed
    registration.status = RegistrationStatus.cancelled
    if was_confirmed:
        _give_back_seat(session, event)
        # RFC 5546 §3.2.5: CANCEL carries the invitation's UID and a higher SEQUENCE.
        registration.sequence += 1
        session.flush()
        outbox.enqueue_invitation(session, registration, kind="cancelled", method="CANCEL")
        promote_from_waitlist(session, event, now)
    else:
        session.flush()
        outbox.enqueue(session, "waitlist_left", registration)
    return registration


def promote_from_waitlist(session: Session, event: Event, now: datetime) -> list[Registration]:
    """Fill the event's free seats from the head of its waitlist, in arrival order.

    The caller holds the event's lock (``lock_event``). Each promoted person
    gets a "you're in" e-mail with a REQUEST invitation. Nobody is promoted
    once the event has started or registration has closed.
    """
    promoted: list[Registration] = []
    # Bounded by the seats that can be free: each pass takes one or stops.
    for _ in range(max(event.capacity - event.seats_taken, 0)):
        if not event.promotes_from_waitlist(now):
            break
        head = session.execute(
            select(Registration).where(Registration.event_id == event.id,
                                       Registration.status == RegistrationStatus.waitlisted)
            .order_by(Registration.queued_at, Registration.id).limit(1)
        ).scalar_one_or_none()
        if head is None or not _take_seat(session, event):
            break
        _confirm(session, head, now, kind="promoted")
        promoted.append(head)
    return promoted


def promote_by_hand(session: Session, registration_id: int,
                    now: datetime | None = None) -> Registration:
    """An organiser gives a free seat to a chosen person on the waitlist, out of turn.

    Refuses (``NotOpen``) unless the person is waiting, a seat is free and
    promotion is still open.
    """
    event = lock_event(session, _event_id_of(session, registration_id))
    now = now or utcnow()
    registration = _fresh_registration(session, registration_id)
    if registration.status != RegistrationStatus.waitlisted:
        raise NotOpen("Only a person on the waitlist can be given a seat.")
    if not event.promotes_from_waitlist(now):
        raise NotOpen("The waitlist is closed: the event has started or registration has closed.")
    if not _take_seat(session, event):
        raise NotOpen("No seat is free. Raise the capacity or wait for a cancellation.")
    _confirm(session, registration, now, kind="promoted")
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
    promote_from_waitlist(session, event, now)
    return event


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
                                   Registration.status == RegistrationStatus.waitlisted)
        .order_by(Registration.queued_at, Registration.id)
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
                Registration.status == RegistrationStatus.waitlisted).exists(),
        ).order_by(Event.id)
    ).scalars())


def _confirm(session: Session, registration: Registration, now: datetime, kind: str) -> None:
    registration.status = RegistrationStatus.confirmed
    registration.confirmed_at = now
    session.flush()
    outbox.enqueue_invitation(session, registration, kind=kind)


def _give_back_seat(session: Session, event: Event) -> None:
    session.execute(
        update(Event).where(Event.id == event.id, Event.seats_taken > 0)
        .values(seats_taken=Event.seats_taken - 1, updated_at=Event.updated_at)
        .execution_options(synchronize_session=False)
    )
    session.refresh(event, ["seats_taken"])


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
