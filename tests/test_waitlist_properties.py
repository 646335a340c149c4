"""Properties of the waitlist through any sequence of joins, cancellations, returns,
capacity changes and promotions by hand, checked against a simple model after every step
(hypothesis), with the counters kept on the event checked against the rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from events import booking, waitlist
from events.errors import NotOpen
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
    st.tuples(st.just("promote"), st.integers(0, PEOPLE - 1)),
), min_size=1, max_size=30)


def snapshot(event_id: int) -> tuple[dict[int, str], list[int], int, int]:
    """(status by person, waitlist in position order, seats_taken, capacity), after
    checking the counters the RSVP keeps on the event against the rows."""
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
    # The kept counters agree with the rows; queue numbers are unique and only grow.
    waiting = [row for row in rows if row.status == RegistrationStatus.waitlisted]
    assert event.waitlist_length == len(waiting)
    assert event.seats_taken == sum(row.holds_seat for row in rows)
    numbers = [row.queue_number for row in rows if row.queue_number is not None]
    assert len(set(numbers)) == len(numbers) and max(numbers, default=0) <= (
        event.last_queue_number)
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
                # The position the newcomer is told is the back of the model's queue.
                assert result.position == len(queue)
        elif action == "cancel" and value in ids:
            booking.cancel(session, ids[value], now)
            if value in queue:
                queue.remove(value)
        elif action == "rejoin" and value in ids:
            result = booking.rejoin(session, ids[value], now)
            if result.created and result.status == RegistrationStatus.waitlisted:
                queue.append(value)
                assert result.position == len(queue)
        elif action == "capacity":
            booking.change_capacity(session, event.id, value, now)
        elif action == "promote" and value in queue:
            # By an organiser's hand: only into a free seat, which never sits
            # beside a waiting person, so it is refused and changes nothing.
            with pytest.raises(NotOpen, match="No seat is free"):
                booking.promote_by_hand(session, ids[value], now)
            session.rollback()
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
