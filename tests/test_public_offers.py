"""Public pages offer only what they can give: a closed event says why and has no form,
seats left show only while RSVPs are taken, the waitlist button says so; a waitlisted
person is not offered a calendar entry; a repeated RSVP promises no e-mail; Markdown is
plain text wherever HTML cannot go."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import booking, calendar_links
from events.changes import cancel_event
from events.descriptions import markdown_to_text
from events.models import Event, EventKind, OutboxMessage
from tests.conftest import SmtpInbox, csrf_token_from
from tests.test_calendar_output import SITE
from tests.test_calendar_output import make_event as unsaved_event
from tests.test_invitations import deliver_all

MARKDOWN = ("**Bring** a _question_.\n\n- one [our guide](https://example.org/guide)\n- two\n\n"
            "1. first\n2. second")
PLAIN = ("Bring a question.\n\n- one our guide (https://example.org/guide)\n- two\n\n"
         "1. first\n2. second")


@pytest.fixture
def csrf_client(app_factory: Callable[..., Flask]) -> FlaskClient:
    return app_factory(WTF_CSRF_ENABLED=True).test_client()


def rsvp(client: FlaskClient, event: Event, email: str, name: str = "Ada") -> str:
    token = csrf_token_from(client.get(f"/events/{event.id}").get_data(as_text=True))
    response = client.post(f"/events/{event.id}/rsvp",
                           data={"csrf_token": token, "name": name, "email": email})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def outbox_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


# Each moment is taken from "now" when the test runs (not when it is collected: the
# whole suite runs longer than an event lasts).
@pytest.mark.parametrize(("fields", "why"), [
    ({"starts_at": -timedelta(hours=3)}, "This event has ended."),
    ({"starts_at": -timedelta(minutes=5)}, "This event has already started."),
    ({"registration_closes_at": -timedelta(minutes=1)},
     "Registration for this event has closed."),
])
def test_a_past_or_closed_event_says_why_and_offers_no_form_nor_seats(
        client: FlaskClient, make_event: Callable[..., Event], fields: dict, why: str) -> None:
    event = make_event(capacity=40, **{name: datetime.now(UTC) + offset
                                       for name, offset in fields.items()})
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert why in page
    assert f"/events/{event.id}/rsvp" not in page and "Your e-mail" not in page
    assert "seats left" not in page and "<dt>Places</dt>" not in page
    assert "Join the waitlist" not in page


def test_a_cancelled_event_shows_its_reason_and_no_form(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=40)
    cancel_event(session, event.id, "The guest is unwell.")
    session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Cancelled: The guest is unwell." in page
    assert f"/events/{event.id}/rsvp" not in page and "seats left" not in page


def test_an_open_event_shows_seats_left_and_an_rsvp_button(
        client: FlaskClient, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=40)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "40 of 40 seats left" in page
    assert '<button type="submit">RSVP</button>' in page


def test_a_full_event_with_a_waitlist_has_a_button_that_says_join_the_waitlist(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    booking.register(session, event.id, "First", "first@example.org")
    session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert '<button type="submit">Join the waitlist</button>' in page
    assert '<button type="submit">RSVP</button>' not in page


def test_the_api_says_whether_an_event_takes_registrations_and_why_not(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    open_event = make_event(capacity=1)
    booking.register(session, open_event.id, "First", "first@example.org")
    session.commit()
    body = client.get(f"/api/v1/events/{open_event.id}").get_json()
    assert body["registration_open"] is True and body["offers"] == "waitlist"
    assert body["closed_reason"] is None
    cancel_event(session, open_event.id, "Unwell")
    session.commit()
    body = client.get(f"/api/v1/events/{open_event.id}").get_json()
    assert body["registration_open"] is False and body["offers"] is None
    assert body["closed_reason"] == "This event has been cancelled."


def test_a_waitlisted_person_gets_their_position_and_what_happens_next_but_no_calendar(
        csrf_client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    booking.register(session, event.id, "First", "first@example.org")
    session.commit()
    page = rsvp(csrf_client, event, "bo@example.org", "Bo")
    assert "You are on the waitlist" in page and "number 1" in page
    assert "What happens next" in page and "nothing to put in your calendar" in page
    assert "Add to your calendar" not in page and "calendar.google.com" not in page
    assert f"/events/{event.id}.ics" not in page


def test_a_confirmed_person_is_offered_the_calendar(
        csrf_client: FlaskClient, make_event: Callable[..., Event]) -> None:
    event = make_event()
    page = rsvp(csrf_client, event, "ada@example.org")
    assert "An invitation is on its way" in page and "Add to your calendar" in page


@pytest.mark.parametrize("capacity", [1, 0])
def test_a_repeated_rsvp_says_nothing_was_sent_and_offers_the_link_by_e_mail(
        csrf_client: FlaskClient, session: Session, make_event: Callable[..., Event],
        capacity: int) -> None:
    # Capacity 1: a seat, then the same seat again; 0: the waitlist, then again.
    event = make_event(capacity=capacity)
    rsvp(csrf_client, event, "ada@example.org")
    queued = outbox_count(session)
    page = rsvp(csrf_client, event, "Ada@Example.org")
    assert outbox_count(session) == queued  # nothing new queued...
    assert "we have not sent another e-mail" in page  # ...and the page says so
    assert "An invitation is on its way" not in page
    assert 'action="/me"' in page and 'name="email" value="Ada@Example.org"' in page
    # The offered button sends the link to the person's places.
    token = csrf_token_from(page)
    sent = csrf_client.post("/me", data={"csrf_token": token, "email": "ada@example.org"})
    assert sent.status_code == 200 and "Check your e-mail" in sent.get_data(as_text=True)
    session.expire_all()
    kinds = session.scalars(select(OutboxMessage.kind)).all()
    assert kinds.count("manage_link") == 1


def test_markdown_becomes_plain_text_without_marks() -> None:
    assert markdown_to_text(MARKDOWN) == PLAIN
    assert markdown_to_text("") == ""


def test_compose_links_and_the_calendar_entry_carry_plain_text(
        client: FlaskClient, make_event: Callable[..., Event]) -> None:
    details = calendar_links.event_details(unsaved_event(description=MARKDOWN), SITE)
    assert details.startswith(PLAIN) and "**" not in details
    event = make_event(description=MARKDOWN)
    ics = client.get(f"/events/{event.id}.ics").get_data(as_text=True)
    unfolded = ics.replace("\r\n ", "")
    assert "Bring a question." in unfolded and "**" not in unfolded
    assert "our guide (https://example.org/guide)" in unfolded


def test_descriptions_and_showcase_prompts_are_markdown_on_the_page(
        client: FlaskClient, make_event: Callable[..., Event]) -> None:
    event = make_event(kind=EventKind.showcase, description=MARKDOWN, unit_name="Archives",
                       prompt_work="We **digitise** maps.", prompt_challenges="- rights",
                       prompt_direction="*Shared* platform")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "<strong>Bring</strong>" in page
    assert "We <strong>digitise</strong> maps." in page
    assert "<li>rights</li>" in page and "<em>Shared</em> platform" in page
    assert "**" not in page


def plain(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_e_mail_text_parts_carry_plain_text_and_link_the_help(
        mail_app: tuple[Flask, SmtpInbox], session: Session,
        make_event: Callable[..., Event]) -> None:
    from events import invitations
    from events.invitations import InvitationPlan

    event = make_event(description=MARKDOWN)
    invitations.invite(session, event, InvitationPlan("guest", "Whina", "whina@example.org"))
    booking.register(session, event.id, "Ada", "ada@example.org")
    session.commit()
    delivered = dict((rcpts[0], message) for rcpts, message in deliver_all(mail_app[1]))
    invitation = plain(delivered["whina@example.org"]).replace("\r\n", "\n")
    assert PLAIN in invitation and "**" not in invitation
    confirmation = plain(delivered["ada@example.org"]).replace("\r\n", "\n")
    assert "https://mingle.example.org/help" in confirmation
    assert 'href="https://mingle.example.org/help"' in (
        delivered["ada@example.org"].get_body(preferencelist=("html",)).get_content())


def test_lists_show_seats_left_only_while_an_event_takes_registrations(
        client: FlaskClient, make_event: Callable[..., Event]) -> None:
    make_event(title="Closing early", capacity=30,
               registration_closes_at=datetime.now(UTC) - timedelta(minutes=1))
    make_event(title="Still open", capacity=20)
    home = client.get("/").get_data(as_text=True)
    closing = home.split("Closing early", 1)[1].split("</li>", 1)[0]
    assert "Registration closed" in closing and "seats left" not in closing
    assert "20 of 20 seats left" in home
