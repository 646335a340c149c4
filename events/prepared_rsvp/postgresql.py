"""PostgreSQL's prepared RSVP: one statement of data-modifying CTEs, one round trip.

The event's row is locked first (``FOR NO KEY UPDATE``, which returns the
newest version of the row once the lock is had), so the registration's status
and queue number, the counters' UPDATE and the message all read one state of
the event, however many RSVPs arrive at once. Each step sees the rows the one
before returned: no registration (a repeat, or an event that takes none)
moves no counter and queues no message. The person upsert updates on
conflict, rather than doing nothing, so that it returns the row even when
another transaction added that person a moment ago (and holds the person's
row, so two first RSVPs of one address are served one after the other).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Executable, Integer, bindparam, case, literal, null, or_, select, true
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import insert as pg_insert

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
    """The person, a registration, its seat or queue number, and its e-mail, at once."""
    person_id, person_name, registration_id, placed, position = _AT_ONCE.first(on, {
        "event_id": event_id, "email": email, "name": name,
        "manage_nonce": new_manage_nonce(), "now": now})
    if registration_id is None:
        return Attempt(person_id, person_name, None)
    if placed is None:
        raise RuntimeError("a registration was added without its place under the event's lock")
    status = RegistrationStatus.confirmed if position is None else RegistrationStatus.waitlisted
    return Attempt(person_id, person_name, registration_id, status, position)


def _at_once(_dialect: str) -> Executable:
    now = now_parameter()
    event_id = bindparam("event_id", type_=Integer)
    add_person = pg_insert(people).values(
        email=bindparam("email"), name=bindparam("name"),
        manage_nonce=bindparam("manage_nonce"), created_at=now)
    person = (add_person.on_conflict_do_update(index_elements=["email"],
                                               set_={"email": add_person.excluded.email})
              .returning(people.c.id, people.c.name).cte("person"))
    event = (
        select(events.c.id, Event.has_free_seat.label("free"), events.c.last_queue_number,
               or_(Event.offers_seat(now), Event.offers_waitlist(now)).label("takes_it"))
        .where(events.c.id == event_id)
        # NO KEY UPDATE: the registration's foreign key only needs KEY SHARE.
        .with_for_update(key_share=True).cte("event"))
    registration = (
        pg_insert(registrations).from_select(NEW_REGISTRATION_COLUMNS, select(
            *new_registration(event.c.id, person.c.id, event.c.free,
                              event.c.last_queue_number, now)
        ).select_from(person.join(event, true())).where(event.c.takes_it))
        .on_conflict_do_nothing(index_elements=["event_id", "person_id"])
        .returning(registrations.c.id, registrations.c.status).cte("registration"))
    seated = registration.c.status == literal(RegistrationStatus.confirmed,
                                              registrations.c.status.type)
    one_if = case((seated, 1), else_=0)
    placed = (
        sql_update(events).where(events.c.id == event_id, registration.c.id.isnot(None))
        .values(seats_taken=events.c.seats_taken + one_if,
                waitlist_length=events.c.waitlist_length + 1 - one_if,
                last_queue_number=events.c.last_queue_number + 1 - one_if,
                # Seats are not part of any calendar: LAST-MODIFIED stays.
                updated_at=events.c.updated_at)
        .returning(events.c.sequence,
                   case((seated, null()), else_=events.c.waitlist_length).label("position"))
        .cte("placed"))
    message = outbox.insert_from(select(
        case((seated, literal("confirmation")), else_=literal("waitlisted")),
        bindparam("email", type_=people.c.email.type), person.c.name, event_id,
        registration.c.id, person.c.id,
        case((seated, confirmation_context("postgresql", placed.c.sequence)),
             else_=waitlisted_context("postgresql", placed.c.position)),
        now).select_from(person.join(registration, true()).join(placed, true()))).cte("message")
    return (
        select(person.c.id, person.c.name, registration.c.id, placed.c.sequence,
               placed.c.position)
        .select_from(person.outerjoin(registration, true()).outerjoin(placed, true()))
        .add_cte(message))


_AT_ONCE = Prepared(_at_once, queues_mail=True)
