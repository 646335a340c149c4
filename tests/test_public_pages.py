"""The public pages: upcoming events, an event, the RSVP form and its answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import booking
from events.models import (
    Event,
    EventKind,
    EventStatus,
    InvitationStatus,
    Person,
    Registration,
    RegistrationStatus,
    RoleKind,
)
from tests.conftest import csrf_token_from


@pytest.fixture
def csrf_client(app_factory: Callable[..., Flask]) -> FlaskClient:
    """A client of an app that checks CSRF tokens, as production does."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    return app.test_client()


def registrations(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Registration)) or 0


def post_rsvp(client: FlaskClient, event: Event, name: str, email: str):
    page = client.get(f"/events/{event.id}")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(f"/events/{event.id}/rsvp",
                       data={"name": name, "email": email, "csrf_token": token})


def test_home_lists_published_upcoming_events_in_the_programme_zone(
        client: FlaskClient, make_event: Callable[..., Event]) -> None:
    starts = datetime(2031, 3, 4, 6, 30, tzinfo=UTC)  # 19:30 in Auckland (NZDT)
    make_event(title="Open conversation", starts_at=starts)
    make_event(title="Secret draft", status=EventStatus.draft)
    make_event(title="Long gone", starts_at=datetime.now(UTC) - timedelta(days=3))
    page = client.get("/").get_data(as_text=True)
    assert "Open conversation" in page
    assert "Tuesday 4 March 2031, 7:30 pm NZDT" in page
    assert 'datetime="2031-03-04T06:30:00+00:00" data-local-time' in page
    assert "Secret draft" not in page and "Long gone" not in page


def test_event_page_shows_people_seats_and_sanitised_description(
        client: FlaskClient, make_event: Callable[..., Event], add_role) -> None:
    event = make_event(
        kind=EventKind.showcase, capacity=40, unit_name="Digital Collections",
        prompt_work="Scanning", prompt_challenges="Rights", prompt_direction="Shared platform",
        description="**Bold** move <script>alert(1)</script> [x](javascript:alert(1))",
    )
    add_role(event, RoleKind.guest, "Aroha Ngata", "aroha@example.org", InvitationStatus.accepted)
    add_role(event, RoleKind.facilitator, "Kate Wilson", "kate@example.org",
             InvitationStatus.accepted)
    response = client.get(f"/events/{event.id}/any-slug-at-all")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    assert "Aroha Ngata" in page and "Kate Wilson" in page
    assert "aroha@example.org" not in page
    assert "40 of 40 seats left" in page
    assert "Digital Collections" in page and "Key challenges" in page
    assert event.meeting_url not in page


def test_rsvp_takes_a_seat_and_says_so(
        csrf_client: FlaskClient, make_event: Callable[..., Event], session: Session) -> None:
    event = make_event(capacity=2)
    response = post_rsvp(csrf_client, event, "Ada Lovelace", "ada@example.org")
    assert response.status_code == 200
    assert "You have a seat" in response.get_data(as_text=True)
    page = csrf_client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "1 of 2 seats left" in page


def test_rsvp_to_a_full_event_joins_the_waitlist_with_a_position(
        csrf_client: FlaskClient, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    post_rsvp(csrf_client, event, "First", "first@example.org")
    response = post_rsvp(csrf_client, event, "Second", "second@example.org")
    body = response.get_data(as_text=True)
    assert "You are on the waitlist" in body and "number 1" in body
    body = post_rsvp(csrf_client, event, "Third", "third@example.org").get_data(as_text=True)
    assert "number 2" in body


def test_the_same_email_again_gets_the_existing_place_not_a_second_seat(
        csrf_client: FlaskClient, make_event: Callable[..., Event], session: Session) -> None:
    event = make_event(capacity=5)
    post_rsvp(csrf_client, event, "Ada", "ada@example.org")
    again = post_rsvp(csrf_client, event, "Ada", "ADA@example.org")
    assert "You already had a place" in again.get_data(as_text=True)
    assert registrations(session) == 1
    session.expire_all()
    assert session.get(Event, event.id).seats_taken == 1


@pytest.mark.parametrize(("name", "email", "message"), [
    ("", "ada@example.org", "Please enter your name."),
    ("x" * 500, "ada@example.org", "Name must be at most 200 characters."),
    ("Ada", "ada.example.org", "That e-mail address is not valid"),
    ("Ada", "", "Please enter your e-mail address."),
])
def test_bad_input_is_explained_beside_the_field_and_stores_nothing(
        csrf_client: FlaskClient, make_event: Callable[..., Event], session: Session,
        name: str, email: str, message: str) -> None:
    event = make_event()
    response = post_rsvp(csrf_client, event, name, email)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'aria-invalid="true"' in page
    assert registrations(session) == 0
    assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_rsvp_without_a_csrf_token_is_refused_and_stores_nothing(
        csrf_client: FlaskClient, make_event: Callable[..., Event], session: Session) -> None:
    event = make_event()
    response = csrf_client.post(f"/events/{event.id}/rsvp",
                                data={"name": "Ada", "email": "ada@example.org"})
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert registrations(session) == 0


@pytest.mark.parametrize(("waitlist", "offered"), [(True, "Join the waitlist"), (False, None)])
def test_a_full_event_offers_its_waitlist_only_when_it_keeps_one(
        client: FlaskClient, session: Session, make_event: Callable[..., Event],
        waitlist: bool, offered: str | None) -> None:
    event = make_event(capacity=1, waitlist_enabled=waitlist)
    booking.register(session, event.id, "First", "first@example.org")
    session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    if offered:
        assert offered in page and f"/events/{event.id}/rsvp" in page
    else:
        assert "Join the waitlist" not in page and "join the waitlist" not in page
        assert "This event is full." in page and f"/events/{event.id}/rsvp" not in page


@pytest.mark.parametrize(("fields", "reason"), [
    ({"starts_at": datetime.now(UTC) - timedelta(hours=2)}, "This event has ended"),
    ({"status": EventStatus.cancelled, "cancel_reason": "Guest unwell."},
     "Cancelled: Guest unwell."),
])
def test_rsvp_to_a_past_or_cancelled_event_is_refused_with_the_reason(
        csrf_client: FlaskClient, make_event: Callable[..., Event], session: Session,
        fields: dict, reason: str) -> None:
    event = make_event(**fields)
    page = csrf_client.get(f"/events/{event.id}").get_data(as_text=True)
    assert reason in page and f"/events/{event.id}/rsvp" not in page  # no form to send
    # A form opened while it was still open, sent now:
    token = csrf_token_from(csrf_client.get("/me").get_data(as_text=True))
    response = csrf_client.post(f"/events/{event.id}/rsvp",
                                data={"name": "Ada", "email": "ada@example.org",
                                      "csrf_token": token})
    assert response.status_code == 409
    assert reason in response.get_data(as_text=True)
    assert registrations(session) == 0


@pytest.mark.parametrize("path", ["/events/999999", "/events/999999.ics", "/nowhere"])
def test_unknown_addresses_get_a_404_page(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_rsvp_to_an_unknown_event_gets_a_404_page(
        csrf_client: FlaskClient, make_event: Callable[..., Event], session: Session) -> None:
    event = make_event()
    token = csrf_token_from(csrf_client.get(f"/events/{event.id}").get_data(as_text=True))
    response = csrf_client.post(f"/events/{event.id + 999}/rsvp",
                                data={"name": "Ada", "email": "ada@example.org",
                                      "csrf_token": token})
    assert response.status_code == 404
    assert registrations(session) == 0


def test_drafts_are_not_found_by_the_public(
        client: FlaskClient, make_event: Callable[..., Event]) -> None:
    draft = make_event(status=EventStatus.draft)
    assert client.get(f"/events/{draft.id}").status_code == 404
    assert client.get(f"/events/{draft.id}.ics").status_code == 404


def test_confirmed_registration_is_stored_with_the_person(
        csrf_client: FlaskClient, make_event: Callable[..., Event], session: Session) -> None:
    event = make_event()
    post_rsvp(csrf_client, event, "  Ada   Lovelace ", "Ada@Example.ORG")
    registration = session.scalars(select(Registration)).one()
    assert registration.status == RegistrationStatus.confirmed
    assert registration.person.name == "Ada Lovelace"
    assert registration.person.email == "ada@example.org"


def test_healthz_answers_when_the_database_does(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
