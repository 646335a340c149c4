"""PostgreSQL's prepared RSVP: one statement of data-modifying CTEs, one round trip.

Each step sees the rows the previous one returned: no registration (already
registered) takes no seat, and no seat queues no message. The person upsert
updates on conflict, rather than doing nothing, so that it returns the row
even when another transaction added that person a moment ago.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Executable, Integer, bindparam, exists, literal, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from events import outbox
from events.models import Event, RegistrationStatus, new_manage_nonce
from events.prepared_rsvp.prepared import Prepared, Target
from events.prepared_rsvp.statements import (
    DROP_REGISTRATION,
    NEW_REGISTRATION_SEQUENCE,
    Attempt,
    events,
    invitation_context,
    now_parameter,
    people,
    registrations,
)


def try_to_place(on: Target, event_id: int, email: str, name: str, now: datetime) -> Attempt:
    """The person, a confirmed registration, its seat and its confirmation, if a seat is free."""
    person_id, person_name, registration_id, sequence = _AT_ONCE.first(on, {
        "event_id": event_id, "email": email, "name": name,
        "manage_nonce": new_manage_nonce(), "now": now})
    if registration_id is not None and sequence is None:
        DROP_REGISTRATION.run(on, {"registration_id": registration_id})
        registration_id = None
    return Attempt(person_id, person_name, registration_id,
                   RegistrationStatus.confirmed if registration_id is not None else None)


def _at_once(_dialect: str) -> Executable:
    now = now_parameter()
    event_id = bindparam("event_id", type_=Integer)
    add_person = pg_insert(people).values(
        email=bindparam("email"), name=bindparam("name"),
        manage_nonce=bindparam("manage_nonce"), created_at=now)
    person = (add_person.on_conflict_do_update(index_elements=["email"],
                                               set_={"email": add_person.excluded.email})
              .returning(people.c.id, people.c.name).cte("person"))
    registration = (
        pg_insert(registrations).from_select(
            ["event_id", "person_id", "status", "queued_at", "sequence", "confirmed_at",
             "created_at", "updated_at"],
            select(event_id, person.c.id,
                   literal(RegistrationStatus.confirmed, registrations.c.status.type),
                   now, literal(NEW_REGISTRATION_SEQUENCE), now, now, now))
        .on_conflict_do_nothing(index_elements=["event_id", "person_id"])
        .returning(registrations.c.id).cte("registration"))
    seat = (
        update(events)
        .where(events.c.id == event_id, Event.offers_seat(now),
               exists(select(registration.c.id)))
        .values(seats_taken=events.c.seats_taken + 1, updated_at=events.c.updated_at)
        .returning(events.c.sequence).cte("seat"))
    message = outbox.insert_from(select(
        literal("confirmation"), bindparam("email", type_=people.c.email.type), person.c.name,
        event_id, registration.c.id, person.c.id,
        invitation_context("postgresql", seat.c.sequence),
        now).select_from(person.join(registration, true()).join(seat, true()))).cte("message")
    return (
        select(person.c.id, person.c.name, registration.c.id, seat.c.sequence)
        .select_from(person.outerjoin(registration, true()).outerjoin(seat, true()))
        .add_cte(message))


_AT_ONCE = Prepared(_at_once, queues_mail=True)
