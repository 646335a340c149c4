"""Invitations as they arrive at a real SMTP server: MIME shape, iTIP METHOD, UID and
SEQUENCE through RSVP, an organiser's change and a cancellation, read by Python's
``email`` package, ``icalendar`` and Mozilla's ical.js."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import func, select

from events import booking
from events.changes import cancel_event, update_event
from events.models import Event, InvitationStatus, OutboxMessage, Role, RoleKind
from tests.conftest import SmtpInbox, csrf_token_from
from tests.icaljs.run import parse as icaljs
from tests.test_calendar_dst import APRIL, NZDT, NZST, expected_utc, iso
from webapp.extensions import db
from webapp.mailer import drain_once

MEETING_HOST = b"meet.example.net"


def deliver_all(inbox: SmtpInbox) -> list[tuple[list[str], EmailMessage]]:
    """Drain the outbox once and return what arrived since the last call."""
    before = len(inbox.envelopes)
    sent, failed = drain_once()
    assert failed == 0
    inbox.wait_for(before + sent)
    return [(rcpts, message) for (rcpts, _), message in
            zip(inbox.envelopes[before:], inbox.messages[before:], strict=True)]




def itip(rcpts: list[str], message: EmailMessage, method: str) -> dict[str, Any]:
    """Check one invitation e-mail end to end and return its VEVENT as ical.js read it."""
    recipient = rcpts[0]
    assert rcpts == [recipient] and message["To"].addresses[0].addr_spec == recipient
    # multipart/mixed > multipart/alternative(plain, html, calendar) + invite.ics
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, html, inline = alternative.get_payload()
    assert [plain.get_content_type(), html.get_content_type(), inline.get_content_type()] == [
        "text/plain", "text/html", "text/calendar"]
    # RFC 6047 §2.4: method= equals the METHOD inside; charset declared.
    assert inline.get_param("method") == method
    assert inline.get_content_charset() == "utf-8"
    assert inline.get("Content-Disposition") is None
    assert inline["Content-Transfer-Encoding"] in ("quoted-printable", "base64")
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_param("name") == "invite.ics"

    inline_ics = inline.get_content().encode()
    attached_ics = attachment.get_content()
    inline_read, attached_read = icaljs(inline_ics), icaljs(attached_ics)
    assert inline_read["method"] == attached_read["method"] == method
    [entry] = inline_read["events"]  # one event per iTIP message
    [attached_entry] = attached_read["events"]
    assert (entry["uid"], entry["sequence"]) == (attached_entry["uid"],
                                                 attached_entry["sequence"])
    [vevent] = Calendar.from_ical(inline_ics).walk("VEVENT")
    assert str(Calendar.from_ical(inline_ics)["METHOD"]) == method
    assert (str(vevent["UID"]), int(vevent["SEQUENCE"])) == (entry["uid"], entry["sequence"])

    # The recipient is an ATTENDEE and not the ORGANIZER.
    assert [a["value"] for a in entry["attendees"]] == [f"mailto:{recipient}"]
    assert entry["organizer"]["value"] == "mailto:programme@mingle.example.org"
    assert entry["organizer"]["value"] != f"mailto:{recipient}"
    assert entry["status"] == ("CANCELLED" if method == "CANCEL" else "CONFIRMED")
    for part in (plain, html):
        assert MEETING_HOST not in part.get_content().encode()
    assert MEETING_HOST not in inline_ics and MEETING_HOST not in attached_ics
    return entry


def accept(role: Role) -> Role:
    role.status = InvitationStatus.accepted
    db.session.commit()
    return role


def rsvp_through_the_form(client: FlaskClient, event: Event, name: str, email: str) -> None:
    token = csrf_token_from(client.get(f"/events/{event.id}").get_data(as_text=True))
    response = client.post(f"/events/{event.id}/rsvp",
                           data={"csrf_token": token, "name": name, "email": email})
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]


def test_rsvp_update_and_cancellation_reach_everyone_taking_part(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event],
        add_role: Callable[..., Role]) -> None:
    app, inbox = mail_app
    # 19:30 on the Saturday before daylight time ends, later moved to 19:30
    # on the Monday after: the wall-clock time must hold across the change.
    before = expected_utc(APRIL - timedelta(days=1), time(19, 30), NZDT)
    after = expected_utc(APRIL + timedelta(days=1), time(19, 30), NZST)
    event = make_event(title="Kōrero, tahi; 📚", capacity=2, starts_at=before)
    guest = accept(add_role(event, RoleKind.guest, "Whina Cooper", "whina@example.org"))
    chair = accept(add_role(event, RoleKind.facilitator, "Kupe Te Ao", "kupe@example.org"))
    add_role(event, RoleKind.presenter, "Not Yet", "invited@example.org")
    declined = add_role(event, RoleKind.guest, "No Thanks", "declined@example.org")
    declined.status = InvitationStatus.declined
    db.session.commit()

    # One browser for all three: the test's app context (and so Flask's
    # ``g``, where the CSRF token is cached) spans the requests.
    client = app.test_client()
    rsvp_through_the_form(client, event, "Ada Lovelace", "ada@example.org")
    rsvp_through_the_form(client, event, "Bo Tāne", "bo@example.org")
    rsvp_through_the_form(client, event, "Cy Waiting", "cy@example.org")
    confirmations = deliver_all(inbox)
    by_recipient = {rcpts[0]: message for rcpts, message in confirmations}
    assert set(by_recipient) == {"ada@example.org", "bo@example.org", "cy@example.org"}
    assert all(p.get_content_type() != "text/calendar" for p in by_recipient.pop(
        "cy@example.org").walk())
    first_uids = {}
    for recipient, message in by_recipient.items():
        entry = itip([recipient], message, "REQUEST")
        assert entry["sequence"] == 0
        assert entry["uid"].startswith("registration-")
        assert "/join/" in entry["location"]
        assert entry["dtstart"]["utc"] == iso(before)
        first_uids[recipient] = entry["uid"]

    update_event(db.session, event.id, starts_at=after)
    db.session.commit()
    updates = deliver_all(inbox)
    recipients = sorted(rcpts[0] for rcpts, _ in updates)
    assert recipients == ["ada@example.org", "bo@example.org", "kupe@example.org",
                          "whina@example.org"]
    for rcpts, message in updates:
        entry = itip(rcpts, message, "REQUEST")
        assert entry["sequence"] == 1
        assert entry["dtstart"]["utc"] == iso(after)
        assert entry["dtstart"]["local"].endswith("T19:30:00")
        assert "start time" in message.get_body(preferencelist=("plain",)).get_content()
        if rcpts[0] in first_uids:
            assert entry["uid"] == first_uids[rcpts[0]]
            assert message["Subject"] == "Changed: Kōrero, tahi; 📚"
    roles = {rcpts[0]: itip(rcpts, message, "REQUEST") for rcpts, message in updates
             if rcpts[0] in ("whina@example.org", "kupe@example.org")}
    assert roles["whina@example.org"]["uid"] == f"role-{guest.id}@mingle.example.org"
    assert roles["kupe@example.org"]["uid"] == f"role-{chair.id}@mingle.example.org"
    assert roles["whina@example.org"]["attendees"][0]["params"]["ROLE"] == "REQ-PARTICIPANT"
    assert roles["kupe@example.org"]["attendees"][0]["params"]["ROLE"] == "CHAIR"
    # Speakers get their own join link (never the room itself: ``itip`` checks that).
    assert all("/speaker/join/" in entry["location"] for entry in roles.values())
    guest_mail = next(m for r, m in updates if r == ["whina@example.org"])
    assert "Your join link stays the same" in guest_mail.get_body(
        preferencelist=("plain",)).get_content()

    cancel_event(db.session, event.id, "Our guest is unwell; sorry.")
    db.session.commit()
    cancellations = deliver_all(inbox)
    assert sorted(rcpts[0] for rcpts, _ in cancellations) == [
        "ada@example.org", "bo@example.org", "cy@example.org", "kupe@example.org",
        "whina@example.org"]
    for rcpts, message in cancellations:
        if rcpts[0] == "cy@example.org":
            assert all(p.get_content_type() != "text/calendar" for p in message.walk())
            continue
        entry = itip(rcpts, message, "CANCEL")
        assert entry["sequence"] == 2 and entry["alarms"] == []
        assert entry["uid"] == first_uids.get(rcpts[0], roles.get(rcpts[0], {}).get("uid"))
        assert "Our guest is unwell; sorry." in message.get_body(
            preferencelist=("plain",)).get_content()


def test_the_smtp_data_keeps_every_line_short_and_seven_bit_safe(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event]) -> None:
    _, inbox = mail_app
    event = make_event(title="Kōrero 図書館 📚 " * 6, description="Tēnā koutou, 中文; 🌏 " * 30)
    booking.register(db.session, event.id, "Ngā Tāne 中文", "nga@example.org")
    db.session.commit()
    deliver_all(inbox)
    [(_, raw)] = inbox.envelopes
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    # Quoted-printable/base64 bodies: no 8-bit octets outside the headers'
    # encoded words, which survive any relay.
    assert max(raw) < 128


def test_a_new_meeting_room_changes_no_calendar_and_sends_nothing(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event]) -> None:
    _, inbox = mail_app
    event = make_event()
    booking.register(db.session, event.id, "Ada", "ada@example.org")
    db.session.commit()
    deliver_all(inbox)

    update_event(db.session, event.id, meeting_url="https://meet.example.net/another-room")
    db.session.commit()
    update_event(db.session, event.id, title=event.title, starts_at=event.starts_at,
                 duration_minutes=event.duration_minutes)
    db.session.commit()
    db.session.refresh(event)
    assert event.sequence == 0
    assert event.meeting_url == "https://meet.example.net/another-room"
    assert deliver_all(inbox) == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


@pytest.mark.parametrize("field", ["title", "duration_minutes", "starts_at"])
def test_each_material_change_bumps_sequence_once_and_sends_a_request(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event], field: str) -> None:
    _, inbox = mail_app
    event = make_event()
    booking.register(db.session, event.id, "Ada", "ada@example.org")
    db.session.commit()
    deliver_all(inbox)
    value = {"title": "Renamed", "duration_minutes": 45,
             "starts_at": datetime.now(UTC).replace(microsecond=0) + timedelta(days=9)}[field]
    update_event(db.session, event.id, **{field: value})
    db.session.commit()
    [(rcpts, message)] = deliver_all(inbox)
    entry = itip(rcpts, message, "REQUEST")
    assert entry["sequence"] == 1
