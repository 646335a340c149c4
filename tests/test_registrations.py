"""A registration's status moves only through ``registrations.move``, only as ``MOVES``
allows, and the prepared RSVP creates exactly what that move would have created."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as orm_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import booking, registrations, roster
from events.errors import NotOpen
from events.models import Event, OutboxMessage, Person, Registration, RegistrationStatus

S = RegistrationStatus


@contextmanager
def status_setters() -> Iterator[list[str]]:
    """Which functions assign ``Registration.status`` while the block runs."""
    setters: list[str] = []

    def record(*_args: object) -> None:
        caller = next(frame for frame in inspect.stack()[1:]
                      if "/sqlalchemy/" not in frame.filename)
        setters.append(f"{caller.filename.rsplit('/', 2)[-2]}/{caller.function}")

    orm_event.listen(Registration.status, "set", record)
    try:
        yield setters
    finally:
        orm_event.remove(Registration.status, "set", record)


def test_every_status_change_of_a_place_goes_through_the_one_move(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    with status_setters() as setters:
        first = booking.register(session, event.id, "A", "a@example.org")
        second = booking.register(session, event.id, "B", "b@example.org")
        booking.cancel(session, first.registration_id)          # promotes B
        booking.rejoin(session, first.registration_id)          # back, to the waitlist
        booking.change_capacity(session, event.id, 2)           # promotes A again
        during = event.starts_at + timedelta(minutes=5)   # attendance is taken once begun
        roster.mark(session, event, [first.registration_id], S.attended, during)
        roster.mark(session, event, [first.registration_id], S.no_show, during)
        roster.mark(session, event, [second.registration_id], S.attended, during)
        session.commit()
    assert setters and set(setters) == {"events/move"}


@pytest.mark.parametrize(("was", "to"), [
    (S.cancelled, S.attended), (S.attended, S.waitlisted), (S.waitlisted, S.no_show),
    (S.no_show, S.cancelled), (S.confirmed, S.waitlisted), (None, S.cancelled)])
def test_a_move_the_table_does_not_list_is_refused_and_changes_nothing(
        session: Session, make_event: Callable[..., Event], was: S | None, to: S) -> None:
    assert (was, to) not in registrations.MOVES
    event = make_event()
    place = Registration(event=event, person=Person(name="A", email="a@example.org"),
                         status=was)
    if was is not None:
        session.add(place)
        session.commit()
    with pytest.raises(NotOpen, match="cannot become"):
        registrations.move(session, place, to, datetime.now(UTC))
    session.rollback()
    session.refresh(event)
    assert event.seats_taken == 0 and session.scalars(select(OutboxMessage)).all() == []


@pytest.mark.parametrize("full", [False, True], ids=["a seat", "the waitlist"])
def test_the_prepared_rsvp_makes_the_same_place_as_the_move_from_none(
        session: Session, make_event: Callable[..., Event], full: bool) -> None:
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    quick, moved = make_event(sequence=3, capacity=1), make_event(sequence=3, capacity=1)
    if full:
        for event in (quick, moved):
            booking.register(session, event.id, "First", f"first{event.id}@example.org")
    booking.register(session, quick.id, "A", "a@example.org", now)
    person = Person(name="A", email="a2@example.org")
    to = S.waitlisted if full else S.confirmed
    registrations.move(session, Registration(event=moved, person=person), to, now)
    session.commit()

    def made(event: Event) -> tuple[object, ...]:
        place = session.scalars(select(Registration).where(
            Registration.event_id == event.id,
            ~Registration.person.has(Person.email.startswith("first")))).one()
        message = session.scalars(select(OutboxMessage).where(
            OutboxMessage.registration_id == place.id)).one()
        session.refresh(event)
        return (place.status, place.queue_number, place.queued_at, place.confirmed_at,
                place.sequence, event.seats_taken, event.waitlist_length,
                event.last_queue_number, message.kind, message.context)

    expected = ((S.waitlisted, 1, now, None, 0, 1, 1, 1, "waitlisted", {"position": 1})
                if full else (S.confirmed, None, now, now, 0, 1, 0, 0, "confirmation",
                              {"method": "REQUEST", "sequence": 3}))
    assert made(quick) == made(moved) == expected
