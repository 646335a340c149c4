"""A large programme for the benchmark: 2,001 events and 105,200 registrations.

Rows go in with bulk Core inserts through the models' own tables, so the
seed follows the schema as it grows. Every event's counters (seats taken,
waitlist length, last queue number) agree with its places, as
``registrations.move`` would have left them.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from events.models import (
    Event,
    EventKind,
    EventStatus,
    InvitationStatus,
    Person,
    Programme,
    Registration,
    RegistrationStatus,
    Role,
    RoleKind,
    Series,
)

EVENTS = 2000
PAST_EVENTS = 400
PER_EVENT = 50
PARTICIPANTS = 20_000
SPEAKERS = 200
ROOMY_CAPACITY = 200
# Every tenth upcoming event is a small, already full group with a waitlist.
SMALL_CAPACITY = 40
# One more upcoming event filled in its first minute, with a long waitlist
# behind it: the RSVP to a full event is measured there.
FLOOD_CAPACITY = 200
FLOOD_WAITING = 5000
BATCH = 5000


@dataclass(frozen=True)
class Seeded:
    """What the benchmark needs to know about the seeded programme."""

    roomy_event_ids: list[int]
    full_event_id: int
    events: int
    registrations: int


def _chunks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[start:start + BATCH] for start in range(0, len(rows), BATCH)]


def _insert(connection: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        connection.execute(insert(model), chunk)


def _ids(connection: Connection, column: Any) -> list[int]:
    return list(connection.execute(select(column).order_by(column)).scalars())


def seed(url: str, now: datetime | None = None) -> Seeded:
    """Fill an empty, migrated database at ``url`` and describe what went in."""
    now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    engine = create_engine(url)
    with engine.begin() as connection:
        _insert(connection, Programme, [
            {"slug": f"programme-{n}", "name": f"Library Conversations {n}",
             "description": "Free, after-hours conversations for library staff.",
             "timezone": "Pacific/Auckland", "sender_name": "Conversations team"}
            for n in (1, 2)
        ])
        programmes = _ids(connection, Programme.id)
        _insert(connection, Series, [
            {"programme_id": programmes[n % 2], "title": f"Series {n}",
             "theme": "Leading from any chair", "target_attendance": 30}
            for n in range(20)
        ])
        series = _ids(connection, Series.id)
        _insert(connection, Person, [
            {"email": f"speaker{n}@speakers.example.org", "name": f"Speaker {n}"}
            for n in range(SPEAKERS)
        ] + [
            {"email": f"participant{n}@libraries.example.org", "name": f"Participant {n}"}
            for n in range(PARTICIPANTS)
        ])
        people = _ids(connection, Person.id)
        speakers, participants = people[:SPEAKERS], people[SPEAKERS:]

        event_rows = []
        for n in range(EVENTS):
            past = n < PAST_EVENTS
            small = not past and n % 10 == 0
            capacity = SMALL_CAPACITY if small else ROOMY_CAPACITY
            starts_at = (now - timedelta(days=PAST_EVENTS - n) if past
                         else now + timedelta(days=1, hours=6 * (n - PAST_EVENTS)))
            waiting = max(PER_EVENT - capacity, 0)
            event_rows.append({
                "programme_id": programmes[n % 2], "series_id": series[n % len(series)],
                "kind": EventKind.conversation, "title": f"Conversation number {n}",
                "description": "A **conversation** about leading from any chair.\n\n"
                               "Bring a question; leave with three ideas.",
                "starts_at": starts_at, "duration_minutes": 30,
                "timezone": "Pacific/Auckland", "capacity": capacity,
                "seats_taken": min(capacity, PER_EVENT),
                "waitlist_length": waiting, "last_queue_number": waiting,
                "meeting_url": f"https://meet.example.org/room-{n}",
                "status": EventStatus.completed if past else EventStatus.published,
            })
        _insert(connection, Event, event_rows)
        events = _ids(connection, Event.id)

        roles, registrations, roomy = [], [], []
        for n, event_id in enumerate(events):
            capacity = event_rows[n]["capacity"]
            roles.append({"event_id": event_id, "person_id": speakers[n % SPEAKERS],
                          "kind": RoleKind.guest, "status": InvitationStatus.accepted})
            roles.append({"event_id": event_id, "person_id": speakers[(n + 1) % SPEAKERS],
                          "kind": RoleKind.facilitator, "status": InvitationStatus.accepted})
            if n >= PAST_EVENTS and capacity == ROOMY_CAPACITY:
                roomy.append(event_id)
            for k in range(PER_EVENT):
                status = (RegistrationStatus.confirmed if k < capacity
                          else RegistrationStatus.waitlisted)
                registrations.append({
                    "event_id": event_id,
                    "person_id": participants[(n * PER_EVENT + k) % PARTICIPANTS],
                    "status": status,
                    "queue_number": k - capacity + 1 if k >= capacity else None,
                    "queued_at": now - timedelta(days=30) + timedelta(seconds=k),
                })
        full_event_id = _seed_flood(connection, programmes[0], series[0], speakers,
                                    participants, now)
        _insert(connection, Role, roles)
        _insert(connection, Registration, registrations)
    if engine.dialect.name == "postgresql":
        # After a bulk load the planner needs statistics, which autovacuum
        # would gather in time (and never does where it is switched off, as
        # on some development servers): without them it may look an event up
        # through its (status, starts_at) index instead of its primary key.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
            # Write the load out now rather than in a checkpoint that would
            # land in the middle of a measurement (needs the pg_checkpoint role).
            with contextlib.suppress(DBAPIError):
                connection.execute(text("CHECKPOINT"))
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return Seeded(roomy_event_ids=roomy, full_event_id=full_event_id, events=len(events) + 1,
                  registrations=len(registrations) + FLOOD_CAPACITY + FLOOD_WAITING)


def _seed_flood(connection: Connection, programme_id: int, series_id: int,
                speakers: list[int], participants: list[int], now: datetime) -> int:
    """A popular conversation: every seat taken and ``FLOOD_WAITING`` people waiting."""
    connection.execute(insert(Event), [{
        "programme_id": programme_id, "series_id": series_id,
        "kind": EventKind.conversation, "title": "A conversation everyone wants to hear",
        "description": "Booked out within a minute of opening.",
        "starts_at": now + timedelta(days=14), "duration_minutes": 30,
        "timezone": "Pacific/Auckland", "capacity": FLOOD_CAPACITY,
        "seats_taken": FLOOD_CAPACITY, "waitlist_length": FLOOD_WAITING,
        "last_queue_number": FLOOD_WAITING, "meeting_url": "https://meet.example.org/room-flood",
        "status": EventStatus.published,
    }])
    event_id = connection.execute(select(func.max(Event.id))).scalar_one()
    connection.execute(insert(Role), [
        {"event_id": event_id, "person_id": speakers[0], "kind": RoleKind.guest,
         "status": InvitationStatus.accepted},
        {"event_id": event_id, "person_id": speakers[1], "kind": RoleKind.facilitator,
         "status": InvitationStatus.accepted},
    ])
    opened = now - timedelta(days=2)
    _insert(connection, Registration, [{
        "event_id": event_id, "person_id": participants[k],
        "status": (RegistrationStatus.confirmed if k < FLOOD_CAPACITY
                   else RegistrationStatus.waitlisted),
        "queue_number": k - FLOOD_CAPACITY + 1 if k >= FLOOD_CAPACITY else None,
        "queued_at": opened + timedelta(milliseconds=10 * k),
    } for k in range(FLOOD_CAPACITY + FLOOD_WAITING)])
    return event_id
