"""Rules of taking a place: capacity, waitlist order, repeats, closed events, bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import booking, waitlist
from events.errors import InvalidInput, NotFound, NotOpen
from events.models import (
    Event,
    EventStatus,
    OutboxMessage,
    Person,
    Registration,
    RegistrationStatus,
)


def rsvp(session: Session, event: Event, n: int) -> booking.Booking:
    result = booking.register(session, event.id, f"Person {n}", f"person{n}@example.org")
    session.commit()
    return result


def test_seats_are_confirmed_until_capacity_then_waitlisted_in_order(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=3)
    results = [rsvp(session, event, n) for n in range(6)]
    assert [r.status for r in results] == [RegistrationStatus.confirmed] * 3 + [
        RegistrationStatus.waitlisted] * 3
    assert [r.position for r in results[3:]] == [1, 2, 3]
    session.refresh(event)
    assert event.seats_taken == 3 and event.seats_left == 0


def test_the_same_email_gets_its_existing_place_back(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=5)
    first = booking.register(session, event.id, "Ada", "Ada@Example.org")
    session.commit()
    again = booking.register(session, event.id, "Ada L.", "ada@example.org ")
    session.commit()
    assert first.created and not again.created
    assert again.registration.id == first.registration.id
    session.refresh(event)
    assert event.seats_taken == 1
    assert session.scalar(select(func.count()).select_from(Registration)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_repeat_on_the_waitlist_keeps_its_position(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    rsvp(session, event, 0)
    rsvp(session, event, 1)
    second = rsvp(session, event, 2)
    assert second.position == 2
    assert rsvp(session, event, 2).position == 2


def test_confirmation_and_waitlist_notice_are_queued_with_the_registration(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    rsvp(session, event, 0)
    rsvp(session, event, 1)
    messages = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.kind for m in messages] == ["confirmation", "waitlisted"]
    assert messages[0].context == {"method": "REQUEST", "sequence": 0}
    assert messages[1].context == {"position": 1}


def test_a_confirmation_carries_the_events_current_sequence(
        session: Session, make_event: Callable[..., Event]) -> None:
    # An event changed twice since publishing: a new participant's invitation
    # must not go out with an older SEQUENCE than the event's.
    event = make_event(sequence=2)
    booking = rsvp(session, event, 0)
    message = session.scalars(select(OutboxMessage)).one()
    assert message.context == {"method": "REQUEST", "sequence": 2}
    assert (message.registration_id, message.recipient_email) == (
        booking.registration_id, "person0@example.org")


def test_a_full_events_rsvp_takes_the_next_queue_number_and_the_length_as_its_position(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    places = [rsvp(session, event, n) for n in range(4)]  # one seat, three waiting
    booking.cancel(session, places[2].registration_id)    # the second in the queue leaves
    session.commit()
    session.refresh(event)
    assert (event.waitlist_length, event.last_queue_number) == (2, 3)

    newcomer = rsvp(session, event, 9)

    assert (newcomer.status, newcomer.position) == (RegistrationStatus.waitlisted, 3)
    assert newcomer.registration.queue_number == 4
    session.refresh(event)
    assert (event.seats_taken, event.waitlist_length, event.last_queue_number) == (1, 3, 4)
    notice = session.scalars(select(OutboxMessage).where(
        OutboxMessage.registration_id == newcomer.registration_id)).one()
    assert (notice.kind, notice.context) == ("waitlisted", {"position": 3})
    assert waitlist.waitlist_position(session, newcomer.registration) == 3


def test_a_full_event_without_a_waitlist_refuses(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1, waitlist_enabled=False)
    rsvp(session, event, 0)
    with pytest.raises(NotOpen, match="full"):
        rsvp(session, event, 1)


@pytest.mark.parametrize(("fields", "reason"), [
    ({"status": EventStatus.cancelled}, "cancelled"),
    ({"starts_at": datetime.now(UTC) - timedelta(minutes=10)}, "already started"),
    ({"starts_at": datetime.now(UTC) - timedelta(hours=1)}, "has ended"),
    ({"registration_closes_at": datetime.now(UTC) - timedelta(minutes=1)}, "closed"),
    ({"status": EventStatus.completed}, "not open"),
])
def test_closed_events_refuse_and_store_nothing(
        session: Session, make_event: Callable[..., Event], fields: dict, reason: str) -> None:
    event = make_event(**fields)
    with pytest.raises(NotOpen, match=reason):
        booking.register(session, event.id, "Ada", "ada@example.org")
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Registration)) == 0


def test_drafts_and_unknown_events_are_not_found(
        session: Session, make_event: Callable[..., Event]) -> None:
    draft = make_event(status=EventStatus.draft)
    for event_id in (draft.id, draft.id + 1000):
        with pytest.raises(NotFound):
            booking.register(session, event_id, "Ada", "ada@example.org")
        session.rollback()


@pytest.mark.parametrize(("name", "email", "field"), [
    ("", "ada@example.org", "name"),
    ("   ", "ada@example.org", "name"),
    ("x" * 500, "ada@example.org", "name"),
    ("Ada", "not-an-address", "email"),
    ("Ada", "ada@", "email"),
    ("Ada", "", "email"),
    (42, "ada@example.org", "name"),
    ("Ada", None, "email"),
])
def test_bad_names_and_addresses_are_refused_with_the_field_named(
        session: Session, make_event: Callable[..., Event],
        name: object, email: object, field: str) -> None:
    event = make_event()
    with pytest.raises(InvalidInput) as refused:
        booking.register(session, event.id, name, email)
    session.rollback()
    assert refused.value.field == field
    assert refused.value.message
    assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_a_seat_freed_after_the_event_was_full_goes_to_the_next_rsvp(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    holder, waiting = rsvp(session, event, 0), rsvp(session, event, 1)
    assert waiting.status == RegistrationStatus.waitlisted
    booking.cancel(session, waiting.registration_id)
    booking.cancel(session, holder.registration_id)
    session.commit()

    newcomer = rsvp(session, event, 2)

    assert (newcomer.status, newcomer.position) == (RegistrationStatus.confirmed, None)
    session.refresh(event)
    assert (event.seats_taken, event.waitlist_length) == (1, 0)
