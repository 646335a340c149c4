"""Taking a row's lock (an event's, an idea's): changes to its places, or its votes, are
served one after the other.

pretix's way: lock late, re-check under the lock, and give up after a short
timeout with a friendly "busy, try again" instead of queueing forever.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from events.errors import Busy, NotFound
from events.models import Base, Event

BUSY = "Many people are booking right now; please try again."
Row = TypeVar("Row", bound=Base)


def lock_row(session: Session, model: type[Row], row_id: int,
             unchanged: dict[Any, Any]) -> Row | None:
    """Lock one row of ``model`` for the rest of the transaction and return it fresh, or
    ``None`` if there is no such row.

    ``unchanged`` sets columns to themselves (those with an ``onupdate`` among
    them, so nothing changes): SQLite's write lock is taken by a write. Raises
    ``Busy`` when the lock cannot be had within the database's lock timeout.
    """
    try:
        if session.get_bind().dialect.name == "sqlite":
            # A no-op write takes SQLite's single write lock now rather than at
            # the first real write, so the reads below are already serialised.
            session.execute(
                update(model).where(model.id == row_id).values(unchanged)  # type: ignore[attr-defined]
                .execution_options(synchronize_session=False)
            )
        # NO KEY UPDATE, not UPDATE: an INSERT referring to the row (an RSVP's, a
        # vote's) holds KEY SHARE on it through its foreign key, and FOR UPDATE
        # would wait on that and deadlock two requests that each inserted before
        # locking. (SQLAlchemy spells FOR NO KEY UPDATE as key_share=True.)
        return session.execute(
            select(model).where(model.id == row_id)  # type: ignore[attr-defined]
            .with_for_update(key_share=True, of=model)
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
    except OperationalError as error:
        raise_busy_if_lock_timeout(error)
        raise


def lock_event(session: Session, event_id: int) -> Event:
    """Lock the event's row for the rest of the transaction and return it fresh.

    Raises ``NotFound`` for an unknown id and ``Busy`` when the lock cannot be
    had within the database's lock timeout.
    """
    event = lock_row(session, Event, event_id, {Event.seats_taken: Event.seats_taken,
                                                Event.updated_at: Event.updated_at})
    if event is None:
        raise NotFound("There is no such event.")
    return event


def raise_busy_if_lock_timeout(error: OperationalError) -> None:
    """Turn the database giving up on a lock (SQLite busy, PostgreSQL's lock_timeout) into
    ``Busy``; any other error is left to the caller."""
    text = str(error.orig).lower()
    if "locked" in text or "lock timeout" in text or "canceling statement" in text:
        raise Busy(BUSY) from error
