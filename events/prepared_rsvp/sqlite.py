"""SQLite's prepared RSVP: a few statements, each as short as it can be.

The database's one write lock is held from the first of these statements to
the commit, and each call into the driver lets other threads of the worker
run meanwhile (it releases the GIL). So: no RETURNING where the driver can say
it (row ids, changed rows), and the messages read what they need from the
database themselves. Under that lock the event cannot change between the
statements, so the registration's INSERT decides seat or waitlist, and
exactly one of the two UPDATEs after it applies.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Executable, Integer, bindparam, literal, or_, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from events import outbox
from events.models import Event, RegistrationStatus, new_manage_nonce
from events.prepared_rsvp.prepared import Prepared, Target
from events.prepared_rsvp.statements import (
    NEW_REGISTRATION_COLUMNS,
    Attempt,
    confirmation_context,
    events,
    new_registration,
    now_parameter,
    people,
    registrations,
    waitlisted_context,
)


def try_to_place(on: Target, event_id: int, email: str, name: str, now: datetime) -> Attempt:
    """The person, a registration, its seat or queue number, and its e-mail."""
    person_id, person_name = _person(on, email, name, now)
    added = _ADD_REGISTRATION.run(on, {"event_id": event_id, "person_id": person_id,
                                       "now": now})
    if not added.rowcount:
        return Attempt(person_id, person_name, None)
    message = {"email": email, "name": person_name, "event_id": event_id,
               "registration_id": added.lastrowid, "person_id": person_id, "now": now}
    if _TAKE_SEAT.run(on, {"event_id": event_id, "now": now}).rowcount:
        _QUEUE_CONFIRMATION.run(on, message)
        return Attempt(person_id, person_name, added.lastrowid, RegistrationStatus.confirmed)
    joined = _JOIN_WAITLIST.first(on, {"event_id": event_id, "now": now})
    if joined is None:
        raise RuntimeError("the event changed between statements under SQLite's write lock")
    _QUEUE_WAITLISTED.run(on, {**message, "position": joined[0]})
    return Attempt(person_id, person_name, added.lastrowid, RegistrationStatus.waitlisted,
                   joined[0])


def _person(on: Target, email: str, name: str, now: datetime) -> tuple[int, str]:
    """The person's id and name, adding them if new (an upsert, so that two
    first RSVPs from one address arriving together cannot collide)."""
    added = _ADD_PERSON.run(on, {"email": email, "name": name,
                                 "manage_nonce": new_manage_nonce(), "created_at": now})
    if added.rowcount:
        return added.lastrowid, name  # type: ignore[return-value]
    known = _PERSON_BY_EMAIL.first(on, {"email": email})
    return known[0], known[1]


def _add_registration(_dialect: str) -> Executable:
    """A new registration if the event takes it, unless the person has one already."""
    now = now_parameter()
    return sqlite_insert(registrations).from_select(NEW_REGISTRATION_COLUMNS, select(
        *new_registration(events.c.id, bindparam("person_id", type_=Integer),
                          Event.has_free_seat, events.c.last_queue_number, now)
    ).where(events.c.id == bindparam("event_id", type_=Integer),
            or_(Event.offers_seat(now), Event.offers_waitlist(now)))
    ).on_conflict_do_nothing(index_elements=["event_id", "person_id"])


def _queue(kind: str, context: object) -> Executable:
    return outbox.insert_from(select(
        literal(kind), bindparam("email", type_=people.c.email.type),
        bindparam("name", type_=people.c.name.type), bindparam("event_id", type_=Integer),
        bindparam("registration_id", type_=Integer), bindparam("person_id", type_=Integer),
        context, now_parameter()))


_ADD_PERSON = Prepared(lambda _dialect: (
    sqlite_insert(people).on_conflict_do_nothing(index_elements=["email"])
), keys=("email", "name", "manage_nonce", "created_at"))
_PERSON_BY_EMAIL = Prepared(lambda _dialect: select(people.c.id, people.c.name).where(
    people.c.email == bindparam("email")))
_ADD_REGISTRATION = Prepared(_add_registration)
# The capacity rule's guarded UPDATE (seats are not part of any calendar:
# updated_at, the LAST-MODIFIED of feeds, stays as it was).
_TAKE_SEAT = Prepared(lambda _dialect: (
    update(events)
    .where(events.c.id == bindparam("event_id"), Event.offers_seat(bindparam("now")))
    .values(seats_taken=events.c.seats_taken + 1, updated_at=events.c.updated_at)))
# The next queue number and the newcomer's position (the length after them).
_JOIN_WAITLIST = Prepared(lambda _dialect: (
    update(events)
    .where(events.c.id == bindparam("event_id"), Event.offers_waitlist(bindparam("now")))
    .values(waitlist_length=events.c.waitlist_length + 1,
            last_queue_number=events.c.last_queue_number + 1, updated_at=events.c.updated_at)
    .returning(events.c.waitlist_length)))
# The confirmation reads the event's SEQUENCE itself rather than through a RETURNING row.
_QUEUE_CONFIRMATION = Prepared(lambda dialect: _queue("confirmation", confirmation_context(
    dialect, select(events.c.sequence).where(
        events.c.id == bindparam("event_id", type_=Integer)).scalar_subquery())),
    queues_mail=True)
_QUEUE_WAITLISTED = Prepared(lambda dialect: _queue("waitlisted", waitlisted_context(
    dialect, bindparam("position", type_=Integer))), queues_mail=True)
