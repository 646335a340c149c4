"""A large programme for the benchmark: 2,001 events and 105,200 registrations, and an
ideas board of 200 challenges and ideas with 10,000 votes.

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

from events.help_offers import HelpOffer, HelpRole
from events.idea_boards import BoardMode, Idea, IdeaBoard, IdeaKind
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
from events.resources import Resource, ResourceAudience, ResourceKind, ResourceTiming
from events.votes import Vote, VoteBudget

EVENTS = 2000
PAST_EVENTS = 400
PER_EVENT = 50
PARTICIPANTS = 20_000
SPEAKERS = 200
ROOMY_CAPACITY = 200
# Every tenth upcoming event is a small, already full group with a waitlist.
SMALL_CAPACITY = 40
# Popular conversations filled in their first minute, each with a long waitlist
# behind it: RSVPs to full events are measured there, spread over all of them
# (as confirmed RSVPs are spread over the roomy events) and all on the first.
FLOOD_EVENTS = 8
FLOOD_CAPACITY = 200
FLOOD_WAITING = 5000
BATCH = 5000
# The first programme's ideas board: challenges, ideas for them, and voters each
# spending their whole budget on challenges.
BOARD_SLUG = "programme-1"
BOARD_CHALLENGES = 100
BOARD_VOTERS = 2000


# Every event's resources: a public reading before it, a recording after it and
# slides for the people who had a place.
RESOURCES = ((ResourceKind.reading, ResourceTiming.before, ResourceAudience.public),
             (ResourceKind.recording, ResourceTiming.after, ResourceAudience.public),
             (ResourceKind.slides, ResourceTiming.after, ResourceAudience.registered))


@dataclass(frozen=True)
class Seeded:
    """What the benchmark needs to know about the seeded programme."""

    roomy_event_ids: list[int]
    full_event_ids: list[int]
    events: int
    registrations: int
    programme_slugs: list[str]
    series_ids: list[int]


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
             "timezone": "Pacific/Auckland", "sender_name": "Conversations team",
             "published_at": now}
            for n in (1, 2)
        ])
        programmes = _ids(connection, Programme.id)
        _insert(connection, Series, [
            {"programme_id": programmes[n % 2], "title": f"Series {n}",
             "theme": "Leading from any chair", "target_attendance": 30, "published_at": now}
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
        full_event_ids = [_seed_flood(connection, programmes[0], series[0], speakers,
                                      participants, now, n) for n in range(FLOOD_EVENTS)]
        _insert(connection, Role, roles)
        _insert(connection, Registration, registrations)
        _insert(connection, Resource, [
            {"event_id": event_id, "position": position, "kind": kind, "timing": timing,
             "audience": audience, "title": f"{kind.label} {n}",
             "url": f"https://example.org/{kind.value}/{n}",
             "description": "Ten minutes, and **one** question to bring."}
            for n, event_id in enumerate(events)
            for position, (kind, timing, audience) in enumerate(RESOURCES, start=1)])
        _seed_board(connection, programmes[0], participants, now)
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
    return Seeded(roomy_event_ids=roomy, full_event_ids=full_event_ids,
                  events=len(events) + FLOOD_EVENTS,
                  registrations=len(registrations)
                  + FLOOD_EVENTS * (FLOOD_CAPACITY + FLOOD_WAITING),
                  programme_slugs=["programme-1", "programme-2"], series_ids=series)


def _seed_flood(connection: Connection, programme_id: int, series_id: int,
                speakers: list[int], participants: list[int], now: datetime, n: int) -> int:
    """A popular conversation: every seat taken and ``FLOOD_WAITING`` people waiting."""
    connection.execute(insert(Event), [{
        "programme_id": programme_id, "series_id": series_id,
        "kind": EventKind.conversation, "title": f"A conversation everyone wants to hear ({n + 1})",
        "description": "Booked out within a minute of opening.",
        "starts_at": now + timedelta(days=14 + n), "duration_minutes": 30,
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
        "event_id": event_id, "person_id": participants[(k + 977 * n) % PARTICIPANTS],
        "status": (RegistrationStatus.confirmed if k < FLOOD_CAPACITY
                   else RegistrationStatus.waitlisted),
        "queue_number": k - FLOOD_CAPACITY + 1 if k >= FLOOD_CAPACITY else None,
        "queued_at": opened + timedelta(milliseconds=10 * k),
    } for k in range(FLOOD_CAPACITY + FLOOD_WAITING)])
    return event_id


def _seed_board(connection: Connection, programme_id: int, participants: list[int],
                now: datetime) -> None:
    """A board in its challenges stage: as many ideas as challenges, five votes a voter."""
    connection.execute(insert(IdeaBoard), [{
        "programme_id": programme_id, "mode": BoardMode.staged, "intro": "What gets in your way?",
        "opens_at": now - timedelta(days=7), "closes_at": now + timedelta(days=7),
        "ideas_open_at": now + timedelta(days=7), "vote_budget": 5, "ready_votes": 50,
        "finalists": 3}])
    board_id = connection.execute(select(func.max(IdeaBoard.id))).scalar_one()
    _insert(connection, Idea, [{
        "board_id": board_id, "kind": IdeaKind.challenge, "title": f"Challenge number {n}",
        "body": "Too little time, too many systems.", "proposer_id": participants[n],
        "created_at": now - timedelta(hours=n)} for n in range(BOARD_CHALLENGES)])
    challenges = _ids(connection, Idea.id)
    _insert(connection, Idea, [{
        "board_id": board_id, "kind": IdeaKind.idea, "title": f"Idea number {n}",
        "challenge_id": challenges[n % 3], "proposer_id": participants[n],
        "created_at": now - timedelta(hours=n)} for n in range(BOARD_CHALLENGES)])
    _insert(connection, Vote, [{
        "idea_id": challenges[(voter + k * 7) % BOARD_CHALLENGES],
        "person_id": participants[voter], "created_at": now}
        for voter in range(BOARD_VOTERS) for k in range(5)])
    _insert(connection, VoteBudget, [{
        "board_id": board_id, "person_id": participants[voter], "kind": IdeaKind.challenge,
        "active_votes": 5} for voter in range(BOARD_VOTERS)])
    _insert(connection, HelpOffer, [{
        "idea_id": idea_id, "person_id": participants[-1], "role": HelpRole.facilitate}
        for idea_id in challenges[::4]])
