"""Properties of the waitlist through any sequence of joins, cancellations, returns and
capacity changes, checked against a simple model after every step (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from events import booking, waitlist
from events.models import (
    Event,
    EventKind,
    EventStatus,
    Programme,
    Registration,
    RegistrationStatus,
)
from tests.conftest import _empty_tables
from webapp.extensions import db

PEOPLE = 8
NOW = datetime(2031, 5, 6, 7, 0, tzinfo=UTC)

steps = st.lists(st.one_of(
    st.tuples(st.just("join"), st.integers(0, PEOPLE - 1)),
    st.tuples(st.just("cancel"), st.integers(0, PEOPLE - 1)),
    st.tuples(st.just("rejoin"), st.integers(0, PEOPLE - 1)),
    st.tuples(st.just("capacity"), st.integers(1, 6)),
), min_size=1, max_size=30)


def snapshot(event_id: int) -> tuple[dict[int, str], list[int], int, int]:
    """(status by person, waitlist in position order, seats_taken, capacity)."""
    session = db.session
    session.expire_all()
    event = session.get(Event, event_id)
    rows = session.scalars(select(Registration).where(Registration.event_id == event_id)).all()
    person = {row.id: int(row.person.email.removeprefix("p").split("@")[0]) for row in rows}
    by_position = {}
    for row in rows:
        position = waitlist.waitlist_position(session, row)
        if position is not None:
            by_position[position] = person[row.id]
    # Positions are exactly 1..N: gapless, no duplicates.
    assert sorted(by_position) == list(range(1, len(by_position) + 1))
    queue = [by_position[n] for n in sorted(by_position)]
    return ({person[row.id]: row.status.value for row in rows}, queue, event.seats_taken,
            event.capacity)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=steps, capacity=st.integers(1, 4))
def test_the_waitlist_stays_gapless_ordered_and_never_overbooks(
        app: Flask, steps: list[tuple[str, int]], capacity: int) -> None:
    _empty_tables()
    session = db.session
    programme = Programme(slug="prop", name="Properties")
    event = Event(programme=programme, kind=EventKind.conversation, title="Property",
                  starts_at=NOW + timedelta(days=7), timezone="UTC", capacity=capacity,
                  status=EventStatus.published)
    session.add(event)
    session.commit()
    ids: dict[int, int] = {}
    queue: list[int] = []  # the model: who waits, in arrival order
    for tick, (action, value) in enumerate(steps):
        now = NOW + timedelta(seconds=tick)
        before_status, before_queue, before_taken, _ = snapshot(event.id)
        confirmed_before = {p for p, s in before_status.items() if s == "confirmed"}
        if action == "join":
            result = booking.register(session, event.id, f"P {value}", f"p{value}@example.org",
                                      now)
            ids[value] = result.registration.id
            if result.created and result.status == RegistrationStatus.waitlisted:
                queue.append(value)
        elif action == "cancel" and value in ids:
            booking.cancel(session, ids[value], now)
            if value in queue:
                queue.remove(value)
        elif action == "rejoin" and value in ids:
            result = booking.rejoin(session, ids[value], now)
            if result.created and result.status == RegistrationStatus.waitlisted:
                queue.append(value)
        elif action == "capacity":
            booking.change_capacity(session, event.id, value, now)
        session.commit()

        status, waiting, taken, seats = snapshot(event.id)
        confirmed = {p for p, s in status.items() if s == "confirmed"}
        newly = confirmed - confirmed_before
        # Promotions come off the head of the model's queue, in order.
        promoted = [p for p in before_queue if p in newly]
        assert promoted == before_queue[:len(promoted)]
        queue = [p for p in queue if p not in newly]
        assert waiting == queue
        assert taken == len(confirmed)
        # Never overbooked, except that lowering the capacity removes nobody.
        assert len(confirmed) <= seats or (not newly and len(confirmed) <= before_taken)
        if action == "capacity":
            assert confirmed >= confirmed_before
        # A free seat never sits beside a waiting person.
        assert not (waiting and len(confirmed) < seats)
