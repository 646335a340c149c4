"""Signing up for a whole series: a place at each open session under its own capacity and
waitlist, all or nothing, and one summary e-mail plus one invitation per new seat."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import booking, series_signup
from events.errors import NotOpen
from events.models import (
    Event,
    EventStatus,
    OutboxMessage,
    Person,
    Programme,
    Registration,
    RegistrationStatus,
    Series,
)
from tests.conftest import SmtpInbox, csrf_token_from
from tests.icaljs.run import parse as icaljs
from webapp.extensions import db
from webapp.mailer import drain_once

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def series(session: Session, programme: Programme) -> Series:
    series = Series(programme=programme, title="Leading from any chair", published_at=NOW)
    session.add(series)
    session.commit()
    return series


@pytest.fixture
def sessions(series: Series, session: Session,
             make_event: Callable[..., Event]) -> dict[str, Event]:
    """Open, waitlisted, full without a waitlist, past and draft sessions of the series."""
    made = {
        "roomy": make_event(series=series, title="Roomy", starts_at=NOW + timedelta(days=9)),
        "small": make_event(series=series, title="Small", capacity=1,
                            starts_at=NOW + timedelta(days=2)),
        "closed": make_event(series=series, title="Closed", capacity=1,
                             waitlist_enabled=False, starts_at=NOW + timedelta(days=5)),
        "past": make_event(series=series, title="Past", starts_at=NOW - timedelta(days=5)),
        "draft": make_event(series=series, title="Draft", status=EventStatus.draft),
    }
    for n, name in enumerate(("small", "small", "closed")):
        booking.register(session, made[name].id, f"Early {n}", f"early{n}@example.org")
    session.commit()
    return made


def sign_up_page(client: FlaskClient, series: Series, name: str, email: str):
    token = csrf_token_from(client.get(f"/series/{series.id}").get_data(as_text=True))
    return client.post(f"/series/{series.id}/signup",
                       data={"name": name, "email": email, "csrf_token": token})


def places_of(session: Session, email: str) -> dict[str, RegistrationStatus]:
    rows = session.execute(
        select(Event.title, Registration.status).join(Registration.event)
        .join(Person, Person.id == Registration.person_id).where(Person.email == email))
    return {title: status for title, status in rows}


def kinds(session: Session) -> Counter[str]:
    return Counter(session.scalars(select(OutboxMessage.kind)))


def test_one_form_gives_a_place_at_each_open_session_under_its_own_limits(
        client: FlaskClient, session: Session, series: Series,
        sessions: dict[str, Event]) -> None:
    before = kinds(session)
    response = sign_up_page(client, series, "Ada Lovelace", "ada@example.org")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "You are signed up for Leading from any chair" in page
    assert places_of(session, "ada@example.org") == {
        "Small": RegistrationStatus.waitlisted, "Roomy": RegistrationStatus.confirmed}
    assert page.index("Small") < page.index("Roomy")
    assert "You are number 2 on the waitlist." in page and "You have a seat." in page
    session.expire_all()
    small, closed = sessions["small"], sessions["closed"]
    assert (small.seats_taken, closed.seats_taken) == (1, 1)
    # One summary and one invitation, instead of the usual per-event messages.
    assert kinds(session) - before == Counter({"series_signup": 1, "series_invitation": 1})


def test_signing_up_again_keeps_every_place_and_sends_nothing(
        client: FlaskClient, session: Session, series: Series,
        sessions: dict[str, Event]) -> None:
    sign_up_page(client, series, "Ada Lovelace", "ada@example.org")
    sent = kinds(session)
    places = places_of(session, "ada@example.org")

    response = sign_up_page(client, series, "Ada L.", "ADA@example.org ")
    assert response.status_code == 200
    assert "nothing has changed" in response.get_data(as_text=True)
    assert places_of(session, "ada@example.org") == places
    assert kinds(session) == sent
    assert session.scalar(select(func.count()).select_from(Registration).join(Person).where(
        Person.email == "ada@example.org")) == 2


def test_a_returning_person_is_placed_again_and_told_once(
        session: Session, series: Series, sessions: dict[str, Event]) -> None:
    roomy = sessions["roomy"]
    earlier = booking.register(session, roomy.id, "Ada", "ada@example.org")
    booking.cancel(session, earlier.registration_id)
    session.commit()
    before = kinds(session)

    signup = series_signup.sign_up(session, series.id, "Ada", "ada@example.org")
    session.commit()
    assert [(place.event.title, place.booking.status, place.booking.created)
            for place in signup.places] == [
        ("Small", RegistrationStatus.waitlisted, True),
        ("Roomy", RegistrationStatus.confirmed, True)]
    assert kinds(session) - before == Counter({"series_signup": 1, "series_invitation": 1})


def test_bad_input_is_explained_beside_the_field_and_nothing_is_kept(
        client: FlaskClient, session: Session, series: Series,
        sessions: dict[str, Event]) -> None:
    before = (session.scalar(select(func.count()).select_from(Registration)), kinds(session))
    response = sign_up_page(client, series, "Ada", "not-an-address")
    assert response.status_code == 422
    assert "That e-mail address is not valid" in response.get_data(as_text=True)
    response = sign_up_page(client, series, "", "ada@example.org")
    assert response.status_code == 422
    assert "Please enter your name." in response.get_data(as_text=True)
    assert (session.scalar(select(func.count()).select_from(Registration)),
            kinds(session)) == before


def test_an_unknown_or_draft_series_is_not_found_even_with_bad_input(
        client: FlaskClient, session: Session, programme: Programme,
        sessions: dict[str, Event], series: Series) -> None:
    draft = Series(programme=programme, title="Draft series")
    session.add(draft)
    session.commit()
    token = csrf_token_from(client.get(f"/series/{series.id}").get_data(as_text=True))
    for series_id in (999999, draft.id):
        response = client.post(f"/series/{series_id}/signup",
                               data={"name": "", "email": "x", "csrf_token": token})
        assert response.status_code == 404


def test_a_series_with_no_open_session_refuses_with_the_reason(
        client: FlaskClient, session: Session, series: Series,
        make_event: Callable[..., Event]) -> None:
    make_event(series=series, title="Over", starts_at=NOW - timedelta(days=1))
    page = client.get(f"/series/{series.id}").get_data(as_text=True)
    assert "No session of this series takes registrations just now." in page
    with pytest.raises(NotOpen, match="No session of this series takes registrations"):
        series_signup.sign_up(session, series.id, "Ada", "ada@example.org")


def test_when_one_session_refuses_nothing_is_kept_and_the_page_says_which(
        client: FlaskClient, session: Session, series: Series, sessions: dict[str, Event],
        monkeypatch: pytest.MonkeyPatch) -> None:
    real_register = booking.register
    calls: list[int] = []

    def register_then_fill_up(*args: object, **kwargs: object) -> booking.Booking:
        # The second session fills up (no waitlist) between the page and the sign-up.
        calls.append(1)
        if len(calls) == 2:
            raise NotOpen("This event is full.")
        return real_register(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(booking, "register", register_then_fill_up)
    before = (session.scalar(select(func.count()).select_from(Registration)), kinds(session),
              session.scalar(select(func.count()).select_from(Person)))
    response = sign_up_page(client, series, "Ada", "ada@example.org")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This event is full. Nothing was booked" in page
    session.expire_all()
    assert (session.scalar(select(func.count()).select_from(Registration)), kinds(session),
            session.scalar(select(func.count()).select_from(Person))) == before


def calendar_of(message: EmailMessage) -> bytes:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    return part.get_payload(decode=True)


def test_one_e_mail_confirms_them_all_and_each_new_seat_brings_its_own_invitation(
        mail_app: tuple[Flask, SmtpInbox], series: Series,
        make_event: Callable[..., Event]) -> None:
    _, inbox = mail_app
    session = db.session
    first = make_event(series=series, title="First, of three", starts_at=NOW + timedelta(days=3))
    second = make_event(series=series, title="Second", starts_at=NOW + timedelta(days=10))
    full = make_event(series=series, title="Third", capacity=1,
                      starts_at=NOW + timedelta(days=17))
    booking.register(session, full.id, "Early", "early@example.org")
    session.commit()
    drain_once()
    inbox.wait_for(1)
    inbox.envelopes.clear()

    signup = series_signup.sign_up(session, series.id, "Ada Lovelace", "ada@example.org")
    session.commit()
    assert drain_once() == (3, 0)
    messages = inbox.wait_for(3)
    assert all(message["To"] == "Ada Lovelace <ada@example.org>" for message in messages)
    [summary] = [m for m in messages if m["Subject"] == "Your places: Leading from any chair"]
    invitations = [m for m in messages if m is not summary]

    text = summary.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert all(p.get_content_type() != "text/calendar" for p in summary.walk())
    assert "- First, of three\n" in text and "- Second\n" in text and "- Third\n" in text
    assert text.count("You have a seat.") == 2
    assert "You are number 1 on the waitlist." in text
    assert "comes in an e-mail of its own (2 in all)" in text
    manage = next(line for line in text.splitlines() if "/me/" in line).strip()
    token = manage.rsplit("/me/", 1)[1]
    assert mail_app[0].test_client().get(f"/me/{token}").status_code == 200

    seats = {place.event.id: place.booking.registration_id for place in signup.places
             if place.booking.status == RegistrationStatus.confirmed}
    assert set(seats) == {first.id, second.id}
    uids = []
    for message in invitations:
        assert message["Subject"] in ("Calendar invitation: First, of three",
                                      "Calendar invitation: Second")
        ics = calendar_of(message)
        [vevent] = Calendar.from_ical(ics).walk("VEVENT")
        [parsed] = icaljs(ics)["events"]
        assert str(vevent["UID"]) == parsed["uid"]
        assert [a["value"] for a in parsed["attendees"]] == ["mailto:ada@example.org"]
        assert "/join/" in parsed["location"]
        uids.append(parsed["uid"])
    assert sorted(uids) == sorted(f"registration-{registration_id}@mingle.example.org"
                                  for registration_id in seats.values())

    # Each invitation is the seat's own: cancelling one sends a CANCEL for its UID.
    booking.cancel(session, seats[second.id])
    session.commit()
    assert drain_once() == (1, 0)
    cancel = inbox.wait_for(4)[-1]
    [part] = [p for p in cancel.walk() if p.get_content_type() == "text/calendar"]
    [parsed] = icaljs(part.get_payload(decode=True))["events"]
    assert parsed["uid"] == f"registration-{seats[second.id]}@mingle.example.org"
    assert parsed["status"] == "CANCELLED" and parsed["sequence"] == 1
