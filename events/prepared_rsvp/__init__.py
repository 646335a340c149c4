"""The RSVP as a few prepared statements: the busiest write in Mingle.

A new RSVP is placed with no ORM and no lock taken in Python: the person
(added if new), the registration (a seat while one is free, else the next
queue number, as ``registrations.MOVES`` says), the event's counters moved by
a guarded UPDATE, and the confirmation or waitlist notice, as statements
compiled once and run on the driver's cursor (``prepared``): one statement on
PostgreSQL (``postgresql``), a few on SQLite (``sqlite``), whose single write
lock is held from the first of them to the commit. Joining the waitlist costs
what taking a seat costs: the newcomer's position is the waitlist's length,
kept on the event, so no queue is counted. What it cannot settle (a repeat,
a return after cancelling, a closed event, a full one without a waitlist) it
leaves, with nothing written but the person, to the locked path of
``events.booking``.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from events.prepared_rsvp import postgresql, sqlite
from events.prepared_rsvp.prepared import Target
from events.prepared_rsvp.statements import Attempt

__all__ = ["Attempt", "try_to_place"]


def try_to_place(session: Session, event_id: int, email: str, name: str,
                 now: datetime) -> Attempt:
    """Place a new registration of ``email`` at the event if it is quick to do so."""
    on = Target.of(session)
    database = postgresql if on.connection.dialect.name == "postgresql" else sqlite
    return database.try_to_place(on, event_id, email, name, now)
