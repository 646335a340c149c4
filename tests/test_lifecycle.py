"""A place's life in the domain: cancel, promotion, return, capacity changes, closing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import booking, calendar, changes, reminders, waitlist
from events.errors import InvalidInput, NotFound, NotOpen
from events.models import Event, OutboxMessage, Registration, RegistrationStatus


def rsvp(session: Session, event: Event, n: int, now: datetime | None = None) -> Registration:
    result = booking.register(session, event.id, f"Person {n}", f"person{n}@example.org", now)
    session.commit()
    return result.registration


def messages(session: Session, kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(session.scalars(query))


def statuses(session: Session, event: Event) -> dict[str, str]:
    rows = session.scalars(select(Registration).where(Registration.event_id == event.id)
                           .execution_options(populate_existing=True))
    return {row.person.email.split("@")[0]: row.status.value for row in rows}


def positions(session: Session, event: Event) -> dict[str, int]:
    rows = session.scalars(select(Registration).where(
        Registration.event_id == event.id,
        Registration.status == RegistrationStatus.waitlisted))
    return {row.person.email.split("@")[0]: waitlist.waitlist_position(session, row)
            for row in rows}


def test_cancelling_a_seat_promotes_the_head_of_the_waitlist_in_the_same_transaction(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=2)
    first = rsvp(session, event, 0)
    rsvp(session, event, 1)
    rsvp(session, event, 2)
    rsvp(session, event, 3)

    booking.cancel(session, first.id)
    session.commit()

    assert statuses(session, event) == {"person0": "cancelled", "person1": "confirmed",
                                        "person2": "confirmed", "person3": "waitlisted"}
    assert positions(session, event) == {"person3": 1}
    session.refresh(event)
    assert event.seats_taken == 2
    cancelled = messages(session, "cancelled")
    assert [m.recipient_email for m in cancelled] == ["person0@example.org"]
    # RFC 5546: the CANCEL outranks the REQUEST it withdraws.
    request = messages(session, "confirmation")[0]
    assert cancelled[0].context["method"] == "CANCEL"
    assert cancelled[0].context["sequence"] > request.context["sequence"]
    promoted = messages(session, "promoted")
    assert [(m.recipient_email, m.context["method"]) for m in promoted] == [
        ("person2@example.org", "REQUEST")]


def test_leaving_the_waitlist_closes_the_gap_behind(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    rsvp(session, event, 0)
    rsvp(session, event, 1)
    second = rsvp(session, event, 2)
    rsvp(session, event, 3)

    booking.cancel(session, second.id)
    session.commit()

    assert positions(session, event) == {"person1": 1, "person3": 2}
    assert [m.recipient_email for m in messages(session, "waitlist_left")] == [
        "person2@example.org"]
    assert messages(session, "promoted") == []


def test_a_person_who_cancels_and_returns_to_a_full_event_goes_to_the_back(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    # One frozen clock: the returner's old id must not win a tie on queued_at.
    now = datetime.now(UTC)
    holder = rsvp(session, event, 0, now)
    rsvp(session, event, 1, now)
    early = rsvp(session, event, 2, now)
    rsvp(session, event, 3, now)

    booking.cancel(session, early.id, now)
    session.commit()
    again = booking.rejoin(session, early.id, now)
    session.commit()

    assert again.created and again.status == RegistrationStatus.waitlisted
    assert positions(session, event) == {"person1": 1, "person3": 2, "person2": 3}
    assert again.position == 3
    assert holder.status == RegistrationStatus.confirmed


def test_a_returning_person_takes_a_free_seat_with_a_higher_sequence(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=3)
    place = rsvp(session, event, 0)
    booking.cancel(session, place.id)
    session.commit()
    result = booking.rejoin(session, place.id)
    session.commit()

    assert result.status == RegistrationStatus.confirmed
    sequences = [m.context["sequence"] for m in messages(session)
                 if m.kind in ("confirmation", "cancelled")]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3


def test_a_returning_registration_carries_its_own_changes_and_the_events_in_its_sequence(
        session: Session, make_event: Callable[..., Event]) -> None:
    # Published and changed twice already: the event's SEQUENCE is 2.
    event = make_event(capacity=1, sequence=2)
    place = rsvp(session, event, 0)
    booking.cancel(session, place.id)
    session.commit()
    changes.update_event(session, event.id, title="Leading from any chair, again")
    session.commit()
    # Back through the RSVP itself (the same e-mail), into the only seat.
    again = booking.register(session, event.id, "Person 0", "person0@example.org")
    session.commit()
    changes.update_event(session, event.id, duration_minutes=45)
    session.commit()

    session.refresh(place)
    assert (again.registration_id, again.status) == (place.id, RegistrationStatus.confirmed)
    assert place.sequence == 2 and event.sequence == 4
    sent = [(m.kind, m.context["method"], m.context["sequence"]) for m in messages(session)
            if m.registration_id == place.id]
    assert sent == [("confirmation", "REQUEST", 2), ("cancelled", "CANCEL", 3),
                    ("confirmation", "REQUEST", 5), ("update", "REQUEST", 6)]
    assert sent[-1][2] == calendar.invitation_sequence(event.sequence, place.sequence)


def test_raising_capacity_promotes_in_arrival_order_and_lowering_removes_nobody(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=2)
    for n in range(6):
        rsvp(session, event, n)

    booking.change_capacity(session, event.id, 4)
    session.commit()
    assert [m.recipient_email for m in messages(session, "promoted")] == [
        "person2@example.org", "person3@example.org"]
    assert positions(session, event) == {"person4": 1, "person5": 2}

    booking.change_capacity(session, event.id, 1)
    session.commit()
    session.refresh(event)
    assert list(statuses(session, event).values()).count("confirmed") == 4
    assert event.seats_taken == 4 and event.seats_left == 0

    # Full even after one cancels: 3 confirmed still exceed the new capacity.
    booking.cancel(session, session.scalars(select(Registration).where(
        Registration.status == RegistrationStatus.confirmed)).first().id)
    session.commit()
    assert len(messages(session, "promoted")) == 2


@pytest.mark.parametrize("capacity", [0, -1, 1001, "ten", 2.5, True, None])
def test_a_capacity_that_is_not_a_sensible_whole_number_is_refused(
        session: Session, make_event: Callable[..., Event], capacity: object) -> None:
    event = make_event(capacity=5)
    with pytest.raises(InvalidInput) as refused:
        booking.change_capacity(session, event.id, capacity)
    assert refused.value.field == "capacity"
    session.rollback()
    session.refresh(event)
    assert event.capacity == 5


def test_nobody_is_promoted_after_registration_closes_and_the_waitlist_is_told_once(
        session: Session, make_event: Callable[..., Event]) -> None:
    now = datetime.now(UTC)
    event = make_event(capacity=1, registration_closes_at=now + timedelta(hours=1))
    holder = rsvp(session, event, 0, now)
    rsvp(session, event, 1, now)
    rsvp(session, event, 2, now)

    later = now + timedelta(hours=2)
    booking.cancel(session, holder.id, later)
    session.commit()
    assert messages(session, "promoted") == []
    booking.change_capacity(session, event.id, 10, later)
    session.commit()
    assert messages(session, "promoted") == []

    first = reminders.run_due(session, later)
    session.commit()
    second = reminders.run_due(session, later + timedelta(minutes=5))
    session.commit()
    assert (first.waitlist_notices, second.waitlist_notices) == (2, 0)
    assert sorted(m.recipient_email for m in messages(session, "waitlist_closed")) == [
        "person1@example.org", "person2@example.org"]
    session.refresh(event)
    assert event.waitlist_closed_at is not None


def test_nobody_is_promoted_once_the_event_has_started(
        session: Session, make_event: Callable[..., Event]) -> None:
    now = datetime.now(UTC)
    event = make_event(capacity=1, starts_at=now + timedelta(hours=1))
    rsvp(session, event, 0, now)
    rsvp(session, event, 1, now)
    started = now + timedelta(hours=1, minutes=5)
    booking.change_capacity(session, event.id, 5, started)
    session.commit()
    assert messages(session, "promoted") == []
    assert reminders.run_due(session, started).waitlist_notices == 1


def test_an_open_event_does_not_close_its_waitlist(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    rsvp(session, event, 0)
    rsvp(session, event, 1)
    assert waitlist.close_waitlist(session, event.id) == 0
    assert waitlist.events_with_waitlist_to_close(session) == []


def test_cancelling_twice_changes_nothing_and_after_the_start_is_refused(
        session: Session, make_event: Callable[..., Event]) -> None:
    now = datetime.now(UTC)
    event = make_event(capacity=5, starts_at=now + timedelta(hours=1))
    place = rsvp(session, event, 0, now)
    booking.cancel(session, place.id, now)
    session.commit()
    booking.cancel(session, place.id, now)
    session.commit()
    assert len(messages(session, "cancelled")) == 1

    other = rsvp(session, event, 1, now)
    with pytest.raises(NotOpen, match="started"):
        booking.cancel(session, other.id, now + timedelta(hours=2))
    session.rollback()
    with pytest.raises(NotFound):
        booking.cancel(session, other.id + 999)


def test_an_organiser_can_promote_a_chosen_person_only_into_a_free_seat(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    rsvp(session, event, 0)
    rsvp(session, event, 1)
    chosen = rsvp(session, event, 2)
    with pytest.raises(NotOpen, match="No seat is free"):
        booking.promote_by_hand(session, chosen.id)
    session.rollback()

    # A seat freed outside the booking rules (e.g. an edit by hand) is not auto-filled.
    event.capacity = 2
    session.commit()
    booking.promote_by_hand(session, chosen.id)
    session.commit()
    assert statuses(session, event)["person2"] == "confirmed"
    assert positions(session, event) == {"person1": 1}
    assert [m.recipient_email for m in messages(session, "promoted")] == [
        "person2@example.org"]
    with pytest.raises(NotOpen, match="Only a person on the waitlist"):
        booking.promote_by_hand(session, chosen.id)
    session.rollback()
