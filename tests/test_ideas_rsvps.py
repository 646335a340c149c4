"""Where the ideas board meets the RSVP: the people who asked for an event may RSVP before it
is announced to everyone, and a programme may take RSVPs only from its allow-list; both are
the one open rule (``Event.takes_registrations``), on the form, the API and the domain alike,
and an ordinary RSVP still takes the prepared path without the event's lock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import booking, early_access, idea_drafts, ideas, planning, votes
from events.errors import InvalidInput, NotOpen
from events.idea_boards import BoardMode, IdeaBoard, IdeaKind
from events.models import Event, EventStatus, Programme, Registration, RegistrationStatus
from events.people import person_for
from tests.conftest import csrf_token_from

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def early_event(session: Session, programme: Programme) -> Event:
    """An event made from a topic Vi voted for, published a moment ago: Vi has early access."""
    board = IdeaBoard(programme=programme, mode=BoardMode.topics,
                      opens_at=NOW - timedelta(days=3))
    session.add(board)
    topic = ideas.propose(session, board, person_for(session, "pat@example.org", "Pat Lee"),
                          IdeaKind.topic, "Copyright for podcasts")
    votes.cast(session, topic, person_for(session, "vi@example.org", "Vi Voter"))
    event = idea_drafts.turn_into_event(session, topic)
    event.meeting_url, event.capacity = "https://meet.example.net/room", 1
    planning.change_status(session, event, EventStatus.published)
    session.commit()
    assert event.announced_at is not None and event.announced_at > NOW
    return event


@pytest.fixture
def counting_locks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The events whose lock ``booking`` takes."""
    locked: list[int] = []
    take = booking.lock_event

    def lock_event(session: Session, event_id: int) -> Event:
        locked.append(event_id)
        return take(session, event_id)

    monkeypatch.setattr(booking, "lock_event", lock_event)
    return locked


def form_rsvp(client: FlaskClient, event: Event, name: str, email: str) -> tuple[int, str]:
    token = csrf_token_from(client.get("/me").get_data(as_text=True))
    reply = client.post(f"/events/{event.id}/rsvp",
                        data={"csrf_token": token, "name": name, "email": email})
    return reply.status_code, reply.get_data(as_text=True)


def test_before_the_announcement_only_the_people_who_asked_may_rsvp(
        client: FlaskClient, session: Session, early_event: Event,
        counting_locks: list[int]) -> None:
    page = client.get(f"/events/{early_event.id}").get_data(as_text=True)
    assert "only the people who proposed, voted for or offered help" in page
    assert f'action="/events/{early_event.id}/rsvp"' in page
    assert "Asked for on the" in page and "Copyright for podcasts" in page

    status, body = form_rsvp(client, early_event, "Someone Else", "else@example.org")
    assert status == 409 and "only the people who proposed, voted for" in body
    api = client.post(f"/api/v1/events/{early_event.id}/registrations",
                      json={"name": "Api", "email": "api@example.org"})
    assert api.status_code == 409 and api.get_json()["error"].startswith("Until ")
    with pytest.raises(NotOpen, match="Everyone else may from then"):
        booking.register(session, early_event.id, "Direct", "direct@example.org")
    session.rollback()

    seat = client.post(f"/api/v1/events/{early_event.id}/registrations",
                       json={"name": "Vi Voter", "email": "vi@example.org"})
    assert seat.status_code == 201 and seat.get_json()["status"] == "confirmed"
    status, body = form_rsvp(client, early_event, "Pat Lee", "pat@example.org")
    assert status == 200 and "waitlist" in body  # the proposer, early too; the seat is gone
    assert counting_locks.count(early_event.id) >= 2  # early RSVPs take the locked path
    assert session.scalar(select(func.count()).select_from(Registration)) == 2


def test_once_announced_anyone_may_rsvp_on_the_prepared_path(
        client: FlaskClient, session: Session, early_event: Event,
        counting_locks: list[int]) -> None:
    early_event.announced_at = NOW - timedelta(minutes=1)
    session.commit()
    result = booking.register(session, early_event.id, "Someone Else", "else@example.org")
    session.commit()
    assert result.status == RegistrationStatus.confirmed
    assert counting_locks == []  # no lock: the prepared RSVP placed it
    assert "only the people who" not in client.get(
        f"/events/{early_event.id}").get_data(as_text=True)


def test_people_who_asked_keep_early_access_when_they_come_back(
        session: Session, early_event: Event) -> None:
    place = booking.register(session, early_event.id, "Vi Voter", "vi@example.org")
    booking.cancel(session, place.registration_id)
    assert booking.rejoin(session, place.registration_id).status == RegistrationStatus.confirmed
    assert early_access.has_early_access(session, early_event.id, place.registration.person_id)


@pytest.fixture
def staff_only(session: Session, programme: Programme) -> Programme:
    programme.allowed_domains, programme.allowed_domains_label = "*.ac.nz", "library staff"
    programme.allowed_domains_for_rsvps = True
    session.commit()
    return programme


def test_a_programme_may_take_rsvps_only_from_its_allow_list(
        client: FlaskClient, session: Session, staff_only: Programme,
        make_event: Callable[..., Event], counting_locks: list[int]) -> None:
    event = make_event()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "RSVPs are open to library staff addresses only: *.ac.nz." in page

    refusal = "This programme&#39;s RSVPs are open to library staff addresses only: *.ac.nz"
    status, body = form_rsvp(client, event, "Di", "di@gmail.com")
    assert status == 422 and refusal in body
    api = client.post(f"/api/v1/events/{event.id}/registrations",
                      json={"name": "Di", "email": "di@gmail.com"})
    assert api.status_code == 422 and api.get_json()["field"] == "email"
    with pytest.raises(InvalidInput, match="library staff addresses only"):
        booking.register(session, event.id, "Di", "di@gmail.com")
    session.rollback()

    status, _ = form_rsvp(client, event, "Ana", "ana@lib.auckland.ac.nz")
    assert status == 200
    assert session.scalars(select(Registration.status)).all() == [RegistrationStatus.confirmed]
    assert counting_locks  # checked under the lock: the prepared path left it


def test_the_allow_list_leaves_rsvps_alone_unless_switched_on_for_them(
        session: Session, staff_only: Programme, make_event: Callable[..., Event]) -> None:
    staff_only.allowed_domains_for_rsvps = False
    session.commit()
    event = make_event()
    placed = booking.register(session, event.id, "Di", "di@gmail.com")
    assert placed.status == RegistrationStatus.confirmed
