"""What both databases' prepared RSVPs share: the outcome, the new registration exactly
as ``registrations.MOVES`` makes it from ``None``, and the messages' contexts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, case, func, literal, null

from events.calendar import invitation_sequence
from events.models import Event, Person, Registration, RegistrationStatus

events, registrations, people = Event.__table__, Registration.__table__, Person.__table__
# A registration the prepared RSVP inserts has made no changes of its own yet.
NEW_REGISTRATION_SEQUENCE = 0
# The columns ``new_registration`` gives values for, in its order.
NEW_REGISTRATION_COLUMNS = ("event_id", "person_id", "status", "queue_number", "queued_at",
                            "confirmed_at", "sequence", "created_at", "updated_at")


@dataclass(frozen=True)
class Attempt:
    """What the prepared RSVP did: the person (added if new) and, if it could place
    them, the new registration, its status and its waitlist position; otherwise
    ``registration_id`` is ``None`` and nothing else was written (a repeat, a return,
    a closed event, a full one without a waitlist: the locked path's to settle)."""

    person_id: int
    person_name: str
    registration_id: int | None
    status: RegistrationStatus | None = None
    position: int | None = None


def new_registration(event_id: Any, person_id: Any, free_seat: ColumnElement[bool],
                     last_queue_number: ColumnElement[int],
                     now: Any) -> list[ColumnElement[Any]]:
    """Values of ``NEW_REGISTRATION_COLUMNS`` for a new registration, read from the
    event's row: confirmed while a seat is free, else waitlisted with the next queue
    number (``MOVES[None, confirmed]`` and ``MOVES[None, waitlisted]``)."""
    status_type = registrations.c.status.type
    return [
        event_id, person_id,
        case((free_seat, literal(RegistrationStatus.confirmed, status_type)),
             else_=literal(RegistrationStatus.waitlisted, status_type)),
        case((free_seat, null()), else_=last_queue_number + 1),
        now, case((free_seat, now), else_=null()),
        literal(NEW_REGISTRATION_SEQUENCE), now, now,
    ]


def _json(dialect: str) -> Any:
    return func.json_build_object if dialect == "postgresql" else func.json_object


def confirmation_context(dialect: str, event_sequence: ColumnElement[Any]) -> ColumnElement[Any]:
    """A new registration's confirmation context, {"method": "REQUEST", "sequence": n},
    built in SQL from the event's SEQUENCE by the one rule."""
    return _json(dialect)("method", "REQUEST", "sequence",
                          invitation_sequence(event_sequence,
                                              literal(NEW_REGISTRATION_SEQUENCE)))


def waitlisted_context(dialect: str, position: ColumnElement[Any]) -> ColumnElement[Any]:
    """A waitlist notice's context, {"position": n}, built in SQL."""
    return _json(dialect)("position", position)


def now_parameter() -> Any:
    """The RSVP's time, one parameter however often a statement uses it."""
    return bindparam("now", type_=registrations.c.queued_at.type)
