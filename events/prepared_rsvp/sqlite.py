"""SQLite's prepared RSVP: a few statements, each as short as it can be.

The database's one write lock is held from the first of these statements to
the commit, and each call into the driver lets other threads of the worker
run meanwhile (it releases the GIL). So: no RETURNING (reading a returned row
costs one more such call), row ids from the driver, and the event's SEQUENCE
read by the INSERT of the message itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Executable, bindparam, literal, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from events.models import RegistrationStatus, new_manage_nonce
from events.prepared_rsvp.prepared import Prepared, Target
from events.prepared_rsvp.statements import (
    DROP_REGISTRATION,
    NEW_REGISTRATION_SEQUENCE,
    QUEUE_CONFIRMATION,
    TAKE_SEAT_IF_OPEN,
    Attempt,
    now_parameter,
    people,
    registrations,
)


def try_to_place(on: Target, event_id: int, email: str, name: str, now: datetime) -> Attempt:
    """The person, a confirmed registration, its seat and its confirmation, if a seat is free."""
    person_id, person_name = _person(on, email, name, now)
    added = _ADD_REGISTRATION.run(on, {"event_id": event_id, "person_id": person_id,
                                       "now": now})
    if not added.rowcount:
        return Attempt(person_id, person_name, None)
    if not TAKE_SEAT_IF_OPEN.run(on, {"event_id": event_id, "now": now}).rowcount:
        DROP_REGISTRATION.run(on, {"registration_id": added.lastrowid})
        return Attempt(person_id, person_name, None)
    QUEUE_CONFIRMATION.run(on, {
        "email": email, "name": person_name, "event_id": event_id,
        "registration_id": added.lastrowid, "person_id": person_id, "now": now})
    return Attempt(person_id, person_name, added.lastrowid, RegistrationStatus.confirmed)


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
    """A confirmed registration, unless the person has one for the event."""
    now = now_parameter()
    return sqlite_insert(registrations).values(
        status=literal(RegistrationStatus.confirmed, registrations.c.status.type),
        sequence=literal(NEW_REGISTRATION_SEQUENCE), queued_at=now, confirmed_at=now,
        created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["event_id", "person_id"])


_ADD_REGISTRATION = Prepared(_add_registration, keys=("event_id", "person_id"))
_PERSON_BY_EMAIL = Prepared(lambda _dialect: select(people.c.id, people.c.name).where(
    people.c.email == bindparam("email")))
_ADD_PERSON = Prepared(lambda _dialect: (
    sqlite_insert(people).on_conflict_do_nothing(index_elements=["email"])
), keys=("email", "name", "manage_nonce", "created_at"))
