"""The RSVP as a few prepared statements: the busiest write in Mingle.

A new RSVP first tries to take its place optimistically, with no ORM and no
lock taken in Python: the person (added if new), the registration, the
seat's guarded UPDATE (``Event.offers_seat``) and the confirmation, as
statements compiled once and run on the driver's cursor (``prepared``): one
statement on PostgreSQL (``postgresql``), a few on SQLite (``sqlite``),
whose single write lock is held from the first of them to the commit.
Whatever it cannot settle it leaves, with nothing written but the person, to
the locked path of ``events.booking``.
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
