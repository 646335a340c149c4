"""E-mail from RSVP to inbox: the outbox, the SMTP server, and the file fallback."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from flask import Flask
from icalendar import Calendar
from sqlalchemy import select

from events import booking
from events.models import Event, OutboxMessage, OutboxStatus
from tests.conftest import SmtpInbox
from webapp.extensions import db
from webapp.mailer import drain_once


def calendar_part(message: EmailMessage) -> EmailMessage:
    return next(p for p in message.walk() if p.get_content_type() == "text/calendar")


def test_confirmation_arrives_with_text_html_and_an_invitation(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event]) -> None:
    _, inbox = mail_app
    event = make_event(title="Leading, from any chair; together")
    result = booking.register(db.session, event.id, "Ada Lovelace", "ada@example.org")
    db.session.commit()
    assert drain_once() == (1, 0)

    [message] = inbox.wait_for(1)
    assert inbox.envelopes[0][0] == ["ada@example.org"]
    assert message["To"] == "Ada Lovelace <ada@example.org>"
    assert "Leading, from any chair; together" in message["Subject"]
    assert message.get_content_type() == "multipart/mixed"
    alternative = message.get_payload()[0]
    assert [p.get_content_type() for p in alternative.get_payload()] == [
        "text/plain", "text/html", "text/calendar"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "/join/" in text and event.meeting_url not in text
    assert calendar_part(message).get_param("method") == "REQUEST"

    invite = Calendar.from_ical(calendar_part(message).get_content())
    [vevent] = invite.walk("VEVENT")
    assert str(invite["METHOD"]) == "REQUEST"
    assert str(vevent["UID"]) == f"registration-{result.registration.id}@mingle.example.org"
    assert str(vevent["ATTENDEE"]) == "mailto:ada@example.org"
    assert str(vevent["ORGANIZER"]) == "mailto:programme@mingle.example.org"
    assert int(vevent["SEQUENCE"]) == 0
    assert "/join/" in str(vevent["LOCATION"])
    assert event.meeting_url not in calendar_part(message).get_content()

    sent = db.session.scalars(select(OutboxMessage)).one()
    assert sent.status == OutboxStatus.sent and sent.sent_at is not None


def test_waitlist_notice_tells_the_position_and_carries_no_invitation(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event]) -> None:
    _, inbox = mail_app
    event = make_event(capacity=1)
    booking.register(db.session, event.id, "First", "first@example.org")
    booking.register(db.session, event.id, "Second", "second@example.org")
    db.session.commit()
    drain_once()
    messages = inbox.wait_for(2)
    notice = next(m for m in messages if m["To"].addresses[0].username == "second")
    assert "waitlist" in notice["Subject"] and "number 1" in notice["Subject"]
    assert all(p.get_content_type() != "text/calendar" for p in notice.walk())


def test_a_rolled_back_rsvp_sends_nothing(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event]) -> None:
    _, inbox = mail_app
    event = make_event()
    booking.register(db.session, event.id, "Ada", "ada@example.org")
    db.session.rollback()
    assert drain_once() == (0, 0)
    assert inbox.envelopes == []


def test_without_a_mail_server_messages_become_files_shown_in_the_dev_mailbox(
        app_factory: Callable[..., Flask], make_event: Callable[..., Event]) -> None:
    event = make_event()
    file_app = app_factory(MAIL_SERVER="")
    with file_app.app_context():
        booking.register(db.session, event.id, "Ada", "ada@example.org")
        db.session.commit()
        assert drain_once() == (1, 0)
        files = list(Path(file_app.config["MAIL_DIR"]).glob("*.eml"))
        assert len(files) == 1
        client = file_app.test_client()
        listing = client.get("/dev/mailbox").get_data(as_text=True)
        assert "Your place:" in listing
        shown = client.get(f"/dev/mailbox/{files[0].stem}").get_data(as_text=True)
        assert "BEGIN:VCALENDAR" in shown and "METHOD:REQUEST" in shown
        assert client.get("/dev/mailbox/..%2Fsecret").status_code == 404
