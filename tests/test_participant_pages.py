"""A participant's own pages: the manage link, "lost your link?", the personal feed,
and the personal join link; each refuses a wrong key and reveals nothing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from events import access, booking
from events.models import Event, OutboxMessage, Person, Registration, RegistrationStatus
from tests.conftest import csrf_token_from
from tests.icaljs.run import parse as icaljs_parse
from webapp import mailer
from webapp.site import current_site

SECRET_ROOM = "secret-room-4417"


def rsvp(session: Session, event: Event, n: int) -> Registration:
    result = booking.register(session, event.id, f"Person {n}", f"person{n}@example.org")
    session.commit()
    return result.registration


def token_of(session: Session, person: Person) -> str:
    token = access.issue_manage_token(session, current_site(), person)
    session.commit()
    return token


def test_the_manage_token_has_256_bits_and_only_its_hash_is_stored(
        session: Session, make_event: Callable[..., Event]) -> None:
    place = rsvp(session, make_event(), 0)
    token = token_of(session, place.person)
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    person = session.get(Person, place.person_id)
    assert person.manage_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (person.manage_nonce, person.manage_token_hash, person.email)
    # Another person, another token.
    other = rsvp(session, make_event(), 1)
    assert token_of(session, other.person) != token


def test_the_page_lists_upcoming_and_past_places_with_join_links_for_confirmed_upcoming_only(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    now = datetime.now(UTC)
    full = make_event(title="Full house", capacity=1)
    rsvp(session, full, 9)
    seat = rsvp(session, make_event(title="Seated talk"), 0)
    waiting = booking.register(session, full.id, "Person 0", "person0@example.org").registration
    busier = make_event(title="Busier house", capacity=1)
    for n in (7, 8, 6):
        rsvp(session, busier, n)
    booking.register(session, busier.id, "Person 0", "person0@example.org")
    session.commit()
    past = make_event(title="Last month's talk", starts_at=now + timedelta(hours=1))
    old = rsvp(session, past, 0)
    past.starts_at = now - timedelta(days=30)
    session.commit()

    page = client.get(f"/me/{token_of(session, seat.person)}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for title in ("Seated talk", "Full house", "Last month&#39;s talk"):
        assert title in html
    # Each place's own position, though the page asks for them all at once.
    assert "number 1 on the waitlist" in html and "number 3 on the waitlist" in html
    assert access.join_token(current_site(), seat) in html
    assert access.join_token(current_site(), waiting) not in html
    assert access.join_token(current_site(), old) not in html
    assert SECRET_ROOM not in html
    assert "person9" not in html  # nobody else's address
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("token", ["nope", "x" * 43, "", "a" * 500])
def test_a_wrong_token_gets_a_plain_404(client: FlaskClient, token: str) -> None:
    for path in (f"/me/{token}", f"/me/{token}/calendar.ics"):
        response = client.get(path)
        if token == "":
            assert response.status_code in (404, 308)
            continue
        assert response.status_code == 404
        assert b"There is nothing at this address." in response.data


def test_cancelling_from_the_page_frees_the_seat_for_the_waitlist(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    place = rsvp(session, event, 0)
    rsvp(session, event, 1)
    token = token_of(session, place.person)
    page = client.get(f"/me/{token}").get_data(as_text=True)

    response = client.post(f"/me/{token}/places/{place.id}/cancel",
                           data={"csrf_token": csrf_token_from(page)})

    assert response.status_code == 303
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your place is cancelled" in follow
    assert "Take a place again" not in follow  # the freed seat went to the waitlist
    assert "Join the waitlist again" in follow
    session.expire_all()
    assert [r.status for r in session.scalars(select(Registration).order_by(Registration.id))] \
        == [RegistrationStatus.cancelled, RegistrationStatus.confirmed]


def test_leaving_the_waitlist_and_taking_a_place_again_from_the_page(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    rsvp(session, event, 0)
    waiting = rsvp(session, event, 1)
    token = token_of(session, waiting.person)
    page = client.get(f"/me/{token}").get_data(as_text=True)
    assert "Leave the waitlist" in page
    csrf = csrf_token_from(page)

    left = client.post(f"/me/{token}/places/{waiting.id}/cancel", data={"csrf_token": csrf})
    assert "You have left the waitlist" in client.get(left.headers["Location"]).get_data(
        as_text=True)
    back = client.post(f"/me/{token}/places/{waiting.id}/rejoin", data={"csrf_token": csrf})
    assert "number 1 on the waitlist" in client.get(back.headers["Location"]).get_data(
        as_text=True)


def test_forms_without_csrf_or_with_someone_elses_place_change_nothing(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=5)
    mine = rsvp(session, event, 0)
    theirs = rsvp(session, event, 1)
    token = token_of(session, mine.person)
    csrf = csrf_token_from(client.get(f"/me/{token}").get_data(as_text=True))

    assert client.post(f"/me/{token}/places/{mine.id}/cancel").status_code == 400
    assert client.post(f"/me/{token}/places/{theirs.id}/cancel",
                       data={"csrf_token": csrf}).status_code == 404
    assert client.post(f"/me/wrong-token/places/{theirs.id}/cancel",
                       data={"csrf_token": csrf}).status_code == 404
    session.expire_all()
    assert {r.status for r in session.scalars(select(Registration))} == {
        RegistrationStatus.confirmed}


def test_cancelling_after_the_start_is_refused_with_a_reason(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(starts_at=datetime.now(UTC) + timedelta(hours=1))
    place = rsvp(session, event, 0)
    token = token_of(session, place.person)
    csrf = csrf_token_from(client.get(f"/me/{token}").get_data(as_text=True))
    event.starts_at = datetime.now(UTC) - timedelta(minutes=5)
    session.commit()
    response = client.post(f"/me/{token}/places/{place.id}/cancel", data={"csrf_token": csrf})
    assert response.status_code == 409
    assert "already started" in response.get_data(as_text=True)


def test_replacing_the_link_revokes_the_old_one_and_mails_a_new_one(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    place = rsvp(session, make_event(), 0)
    old = token_of(session, place.person)
    csrf = csrf_token_from(client.get(f"/me/{old}").get_data(as_text=True))

    response = client.post(f"/me/{old}/revoke", data={"csrf_token": csrf})

    assert response.status_code == 200 and "no longer works" in response.get_data(as_text=True)
    assert client.get(f"/me/{old}").status_code == 404
    assert client.get(f"/me/{old}/calendar.ics").status_code == 404
    session.expire_all()
    new = token_of(session, session.get(Person, place.person_id))
    assert new != old
    assert client.get(f"/me/{new}").status_code == 200
    notice = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "manage_link"))
    assert [m.context for m in notice] == [{"reason": "revoked"}]


def test_lost_link_answers_the_same_for_known_and_unknown_addresses(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    rsvp(session, make_event(), 0)
    csrf = csrf_token_from(client.get("/me").get_data(as_text=True))

    known = client.post("/me", data={"csrf_token": csrf, "email": " Person0@Example.org "})
    unknown = client.post("/me", data={"csrf_token": csrf, "email": "stranger@example.org"})
    again = client.post("/me", data={"csrf_token": csrf, "email": "person0@example.org"})

    assert known.status_code == unknown.status_code == again.status_code == 200
    assert known.data == unknown.data == again.data
    sent = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "manage_link"))
    # One link, to the known person; asking twice in a row sends no second one.
    assert [m.recipient_email for m in sent] == ["person0@example.org"]
    assert session.scalar(select(func.count()).select_from(Person)) == 1


def test_lost_link_refuses_a_malformed_address_with_a_reason(client: FlaskClient) -> None:
    csrf = csrf_token_from(client.get("/me").get_data(as_text=True))
    response = client.post("/me", data={"csrf_token": csrf, "email": "not-an-address"})
    assert response.status_code == 422
    assert "not valid" in response.get_data(as_text=True)
    assert client.post("/me", data={"email": "a@example.org"}).status_code == 400


def test_reading_pages_and_feeds_and_rendering_e_mails_writes_nothing(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    place = rsvp(session, make_event(), 0)
    token = token_of(session, place.person)
    newcomer = rsvp(session, make_event(), 1).person  # no manage link issued yet
    message = session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient_email == newcomer.email)).one()
    writes: list[object] = []
    listen = (Session, "after_flush", lambda *args: writes.append(args))
    event.listen(*listen)
    try:
        for path in (f"/me/{token}", f"/me/{token}/calendar.ics", f"/events/{place.event_id}"):
            assert client.get(path).status_code == 200
        mailer.render(message)
        assert access.manage_url(current_site(), newcomer)
        session.flush()
    finally:
        event.remove(*listen)
    assert writes == []
    session.refresh(newcomer)
    assert newcomer.manage_token_hash is None
    # Sending it is what makes the link work.
    mailer.deliver(message)
    session.refresh(newcomer)
    assert newcomer.manage_token_hash is not None


def test_the_personal_feed_has_confirmed_places_with_join_links_and_cancelled_ones_marked(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    kept = rsvp(session, make_event(title="Kept"), 0)
    dropped = rsvp(session, make_event(title="Dropped"), 0)
    full = make_event(title="Full", capacity=1)
    rsvp(session, full, 1)
    rsvp(session, full, 0)
    booking.cancel(session, dropped.id)
    session.commit()
    token = token_of(session, kept.person)

    response = client.get(f"/me/{token}/calendar.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.data
    assert SECRET_ROOM.encode() not in body and b"person1" not in body
    site = current_site()
    parsed = {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}
    assert set(parsed) == {f"registration-{kept.id}@mingle.example.org",
                           f"registration-{dropped.id}@mingle.example.org"}
    mine = parsed[f"registration-{kept.id}@mingle.example.org"]
    assert str(mine["status"]) == "CONFIRMED"
    assert access.join_url(site, kept) in str(mine["location"])
    gone = parsed[f"registration-{dropped.id}@mingle.example.org"]
    assert str(gone["status"]) == "CANCELLED"
    assert "/join/" not in gone.to_ical().decode()
    # Thunderbird's parser reads the same.
    seen = {e["uid"]: e for e in icaljs_parse(body)["events"]}
    assert seen[f"registration-{dropped.id}@mingle.example.org"]["status"] == "CANCELLED"
    assert seen[f"registration-{kept.id}@mingle.example.org"]["conference"][0]["value"] == \
        access.join_url(site, kept)
    # Unchanged feed: a conditional GET gets 304.
    etag = response.headers["ETag"]
    assert client.get(f"/me/{token}/calendar.ics",
                      headers={"If-None-Match": etag}).status_code == 304


def test_the_join_link_records_the_first_click_and_redirects_to_the_current_room(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(starts_at=datetime.now(UTC) + timedelta(minutes=20))
    place = rsvp(session, event, 0)
    link = f"/join/{access.join_token(current_site(), place)}"

    first = client.get(link)
    session.refresh(place)
    clicked = place.first_joined_at
    event.meeting_url = "https://meet.example.net/another-room"
    session.commit()
    second = client.get(link)

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"].endswith(SECRET_ROOM)
    assert second.headers["Location"].endswith("another-room")
    session.refresh(place)
    assert clicked is not None and place.first_joined_at == clicked


def test_the_join_link_refuses_waitlisted_cancelled_and_too_early_with_a_clear_page(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    soon = make_event(capacity=1, starts_at=datetime.now(UTC) + timedelta(minutes=20))
    rsvp(session, soon, 0)
    waiting = rsvp(session, soon, 1)
    leaving = rsvp(session, make_event(starts_at=datetime.now(UTC) + timedelta(minutes=20)), 2)
    booking.cancel(session, leaving.id)
    early = rsvp(session, make_event(), 3)
    session.commit()
    site = current_site()
    for place, reason in ((waiting, "waitlist"), (leaving, "cancelled"),
                          (early, "30 minutes before")):
        response = client.get(f"/join/{access.join_token(site, place)}")
        assert response.status_code == 409
        assert reason in response.get_data(as_text=True)
        assert SECRET_ROOM not in response.get_data(as_text=True)
        session.refresh(place)
        assert place.first_joined_at is None
    assert client.get(f"/join/{waiting.id}-forged").status_code == 404


def test_every_participant_email_carries_a_working_manage_link_and_never_the_room(
        mail_app: tuple[Flask, object], session: Session,
        make_event: Callable[..., Event]) -> None:
    from events import outbox, reminders
    from webapp import mailer

    app, inbox = mail_app
    client = app.test_client()
    now = datetime.now(UTC)
    event = make_event(capacity=1, starts_at=now + timedelta(minutes=50),
                       registration_closes_at=now + timedelta(minutes=40))
    first = rsvp(session, event, 0)
    rsvp(session, event, 1)  # waitlisted, then promoted
    rsvp(session, event, 2)  # waitlisted, then told the waitlist closed
    first.confirmed_at = now - timedelta(hours=1)
    session.commit()
    booking.cancel(session, first.id)
    session.commit()
    promoted = session.scalars(select(Registration).where(
        Registration.status == RegistrationStatus.confirmed)).one()
    promoted.confirmed_at = now - timedelta(hours=1)
    session.commit()
    reminders.run_due(session, now)
    reminders.run_due(session, now + timedelta(minutes=45))
    access.send_lost_link(session, "person2@example.org")
    session.commit()

    sent, failed = outbox.drain(session, mailer.deliver)

    kinds = {m.kind for m in session.scalars(select(OutboxMessage))}
    assert kinds == {"confirmation", "waitlisted", "cancelled", "promoted", "reminder",
                     "waitlist_closed", "manage_link"}
    assert (sent, failed) == (len(inbox.envelopes), 0) and sent == 8
    for message in inbox.messages:
        raw = message.as_bytes()
        assert SECRET_ROOM.encode() not in raw
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        links = re.findall(r"https://mingle\.example\.org/me/([A-Za-z0-9_-]+)", text)
        assert links, f"{message['Subject']} has no manage link"
        assert f"/me/{links[0]}" in html
        assert client.get(f"/me/{links[0]}").status_code == 200


