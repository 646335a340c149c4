"""What both databases' prepared RSVPs share: the outcome, the new registration as
``registrations.MOVES`` makes it, the seat's guarded UPDATE and the confirmation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, bindparam, delete, func, literal, select, update

from events import outbox
from events.calendar import invitation_sequence
from events.models import Event, Person, Registration, RegistrationStatus
from events.prepared_rsvp.prepared import Prepared

events, registrations, people = Event.__table__, Registration.__table__, Person.__table__
# A registration the prepared RSVP inserts has made no changes of its own yet.
NEW_REGISTRATION_SEQUENCE = 0


@dataclass(frozen=True)
class Attempt:
    """What the optimistic RSVP did: the person (added if new) and, if it could place
    them, the new registration; otherwise ``registration_id`` is ``None`` and nothing
    else was written (a repeat, a return, a full or closed event: the locked path's)."""

    person_id: int
    person_name: str
    registration_id: int | None
    status: RegistrationStatus | None = None


def invitation_context(dialect: str, event_sequence: ColumnElement[Any]) -> ColumnElement[Any]:
    """A new registration's confirmation context, {"method": "REQUEST", "sequence": n},
    built in SQL from the event's SEQUENCE by the one rule."""
    build = func.json_build_object if dialect == "postgresql" else func.json_object
    return build("method", "REQUEST", "sequence",
                 invitation_sequence(event_sequence, literal(NEW_REGISTRATION_SEQUENCE)))


def now_parameter() -> Any:
    return bindparam("now", type_=registrations.c.queued_at.type)


TAKE_SEAT_IF_OPEN = Prepared(lambda _dialect: (
    update(events)
    .where(events.c.id == bindparam("event_id"), Event.offers_seat(bindparam("now")))
    # Seats are not part of any calendar: leave updated_at (LAST-MODIFIED) alone.
    .values(seats_taken=events.c.seats_taken + 1, updated_at=events.c.updated_at)
))
# The confirmation reads the event's SEQUENCE itself, under the lock the
# seat's UPDATE took, rather than through a RETURNING row.
QUEUE_CONFIRMATION = Prepared(lambda dialect: outbox.insert_from(select(
    literal("confirmation"), bindparam("email", type_=people.c.email.type),
    bindparam("name", type_=people.c.name.type), bindparam("event_id", type_=Integer),
    bindparam("registration_id", type_=Integer), bindparam("person_id", type_=Integer),
    invitation_context(dialect, select(events.c.sequence).where(
        events.c.id == bindparam("event_id", type_=Integer)).scalar_subquery()),
    now_parameter())), queues_mail=True)
# An optimistic registration that got no seat is taken back, so that the
# locked path starts from nothing.
DROP_REGISTRATION = Prepared(lambda _dialect: delete(registrations).where(
    registrations.c.id == bindparam("registration_id")))
