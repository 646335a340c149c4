"""Messages to an event's people and cancelling an event: who each audience is, a preview
as a participant will read it (greeting included, or switched off), a test to the
organiser alone, and a second page before anything reaches more than a handful."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import announcements, booking, limits, roster
from events.errors import NotOpen
from events.models import (
    Event,
    EventStatus,
    OutboxMessage,
    Programme,
    Registration,
    RegistrationStatus,
)
from tests.conftest import SmtpInbox
from tests.test_auth import log_in, make_organiser
from webapp.extensions import db
from webapp.mailer import drain_once

S = RegistrationStatus


@pytest.fixture
def organiser_client(client: FlaskClient, session: Session, programme: Programme) -> FlaskClient:
    make_organiser(session, email="lead@example.org", programme=programme)
    client.environ_base["csrf"] = log_in(client, "lead@example.org")  # type: ignore[index]
    return client


def post(client: FlaskClient, path: str, **data: object):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": client.environ_base["csrf"], **data})


def crowd(session: Session, event: Event, count: int) -> list[Registration]:
    before = event.starts_at - timedelta(days=2)
    places = [booking.register(session, event.id, f"Person {n}", f"p{n}@example.org",
                               now=before).registration for n in range(count)]
    session.query(OutboxMessage).delete()
    session.commit()
    return places


def held(session: Session, make_event: Callable[..., Event], count: int) -> Event:
    """An event that began ten minutes ago, with ``count`` RSVPs (and two seats fewer)."""
    event = make_event(starts_at=datetime.now(UTC).replace(microsecond=0)
                       - timedelta(minutes=10), capacity=count - 2)
    crowd(session, event, count)
    return event


def audience(session: Session, event: Event, name: str) -> set[str]:
    draft = announcements.draft(session, event, name, "Hello", "Thanks.")
    people = session.scalars(select(Registration).where(
        Registration.event_id == event.id,
        Registration.status.in_(announcements.AUDIENCES[name]))).all()
    assert draft.recipients == len(people)
    return {place.person.email for place in people}


def test_everyone_with_a_seat_includes_those_marked_and_the_audiences_of_who_came(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = held(session, make_event, 6)  # p0 to p3 seated, p4 and p5 waiting
    places = session.scalars(select(Registration).order_by(Registration.id)).all()
    roster.mark(session, event, [places[0].id, places[1].id], S.attended)
    roster.mark(session, event, [places[2].id], S.no_show)
    session.commit()
    assert audience(session, event, "confirmed") == {
        "p0@example.org", "p1@example.org", "p2@example.org", "p3@example.org"}
    assert audience(session, event, "attended") == {"p0@example.org", "p1@example.org"}
    # Registered but did not attend: the no-show and the one never marked.
    assert audience(session, event, "absent") == {"p2@example.org", "p3@example.org"}
    assert audience(session, event, "waitlisted") == {"p4@example.org", "p5@example.org"}
    assert len(audience(session, event, "everyone")) == 6


def test_who_came_or_did_not_is_asked_only_once_attendance_was_taken(
        session: Session, make_event: Callable[..., Event]) -> None:
    coming = make_event()
    crowd(session, coming, 2)
    with pytest.raises(NotOpen, match="has not started"):
        announcements.draft(session, coming, "absent", "Missed you", "Next time!")
    untaken = held(session, make_event, 4)
    with pytest.raises(NotOpen, match="Attendance has not been taken"):
        announcements.draft(session, untaken, "absent", "Missed you", "Next time!")


def test_a_message_to_more_than_a_handful_waits_for_a_second_page(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event()
    crowd(session, event, limits.MESSAGE_CONFIRM_ABOVE + 1)
    path = f"/organise/events/{event.id}/announcements"
    message = {"audience": "confirmed", "subject": "Bring a question",
               "body": "We start on time.", "greeting": "y"}
    asked = post(organiser_client, path, action="send", **message)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "6 people will get this e-mail." in page
    assert "Kia ora Person 0," in page  # the preview, as the first of them reads it
    assert 'name="confirmed" value="6"' in page and 'name="csrf_token"' in page
    assert session.scalars(select(OutboxMessage)).all() == []
    # Back to change it: the form comes back filled in, nothing sent.
    edit = post(organiser_client, path, action="edit", **message)
    assert 'value="Bring a question"' in edit.get_data(as_text=True)
    assert session.scalars(select(OutboxMessage)).all() == []
    # One more person since the page was shown: asked again with the new number.
    crowd_more = booking.register(session, event.id, "Late", "late@example.org")
    session.commit()
    assert crowd_more.registration.status == S.confirmed
    again = post(organiser_client, path, action="send", confirmed="6", **message)
    assert again.status_code == 200 and "7 people will get this e-mail." in again.get_data(
        as_text=True)
    sent = post(organiser_client, path, action="send", confirmed="7", **message)
    assert sent.status_code == 303
    assert len(session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "announcement")).all()) == 7


def test_a_message_to_a_handful_goes_at_once(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event()
    crowd(session, event, limits.MESSAGE_CONFIRM_ABOVE)
    sent = post(organiser_client, f"/organise/events/{event.id}/announcements", action="send",
                audience="confirmed", subject="Hi", body="See you.")
    assert sent.status_code == 303
    assert len(session.scalars(select(OutboxMessage)).all()) == limits.MESSAGE_CONFIRM_ABOVE


def test_the_preview_shows_the_greeting_mingle_adds_and_it_can_be_switched_off(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event(title="Leading from any chair")
    crowd(session, event, 2)
    path = f"/organise/events/{event.id}/announcements"
    greeted = post(organiser_client, path, action="preview", audience="confirmed",
                   subject="Bring a question", body="Dear all, we start on time.",
                   greeting="y").get_data(as_text=True)
    preview = greeted.split('id="preview-heading"', 1)[1]
    assert "To: everyone with a seat (2 people)" in preview
    assert "Bring a question (Leading from any chair)" in preview
    assert "Kia ora Person 0,\n\nDear all, we start on time." in preview
    assert "Your personal join link: https://mingle.example.org/join/" in preview
    plain = post(organiser_client, path, action="preview", audience="confirmed",
                 subject="Bring a question", body="Dear all, we start on time."
                 ).get_data(as_text=True)
    assert "Kia ora" not in plain.split('id="preview-heading"', 1)[1]
    assert session.scalars(select(OutboxMessage)).all() == []


def test_a_test_goes_to_the_organiser_alone_and_arrives_as_participants_will_read_it(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event]) -> None:
    app, inbox = mail_app
    programme = Programme(slug="mail", name="Mail Programme", timezone="Pacific/Auckland")
    db.session.add(programme)
    db.session.commit()
    event = make_event(programme=programme, timezone=programme.timezone)
    crowd(db.session, event, 8)
    make_organiser(db.session, email="lead@example.org", name="Lead", programme=programme)
    client = app.test_client()
    token = log_in(client, "lead@example.org")
    response = client.post(f"/organise/events/{event.id}/announcements",
                           data={"csrf_token": token, "action": "test", "audience": "confirmed",
                                 "subject": "Bring a question", "body": "We start on time."})
    assert response.status_code == 200
    assert "A test copy is on its way to you alone" in response.get_data(as_text=True)
    assert drain_once() == (1, 0)
    [message] = inbox.wait_for(1)
    assert message["To"] == "Lead <lead@example.org>"
    assert message["Subject"].startswith("Test: Bring a question")
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "This is a test" in text and "We start on time." in text and "Kia ora" not in text
    assert db.session.scalars(select(announcements.Announcement)).all() == []


def test_cancelling_an_event_says_first_who_will_be_told(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event(capacity=3)
    crowd(session, event, 5)
    page = organiser_client.get(f"/organise/events/{event.id}").get_data(as_text=True)
    assert f'href="/organise/events/{event.id}/cancel"' in page
    assert f'action="/organise/events/{event.id}/cancel"' not in page
    asked = organiser_client.get(f"/organise/events/{event.id}/cancel")
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "5 people will get an e-mail saying the event is cancelled" in text
    assert "(3 with a seat, 2 on the waitlist)" in text
    assert "Cancel the event and tell 5 people" in text and 'name="csrf_token"' in text
    session.refresh(event)
    assert event.status == EventStatus.published
    assert organiser_client.post(f"/organise/events/{event.id}/cancel",
                                 data={"reason": "Unwell"}).status_code == 400  # no CSRF
    done = post(organiser_client, f"/organise/events/{event.id}/cancel", reason="Unwell")
    assert done.status_code == 303
    session.refresh(event)
    assert event.status == EventStatus.cancelled
