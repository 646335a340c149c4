"""Running an event: roster, attendance by hand and from a report, CSV, announcements."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import booking, roster
from events.errors import InvalidInput
from events.models import Event, OutboxMessage, Programme, Registration
from tests.conftest import SmtpInbox
from tests.test_auth import log_in, make_organiser
from tests.test_organise_planning import post
from webapp.extensions import db
from webapp.mailer import drain_once


@pytest.fixture
def organiser_client(client: FlaskClient, session: Session, programme: Programme) -> FlaskClient:
    make_organiser(session, programme=programme)
    client.environ_base["csrf"] = log_in(client)  # type: ignore[index]
    return client


def fill(session: Session, event: Event, people: list[tuple[str, str]]) -> list[Registration]:
    made = [booking.register(session, event.id, name, email).registration
            for name, email in people]
    session.commit()
    return made


def begin(session: Session, event: Event) -> None:
    """Move the event's start into the past: attendance can be taken from then on."""
    event.starts_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    session.commit()


def statuses(session: Session) -> dict[str, str]:
    session.expire_all()
    return {r.person.email: r.status.value for r in session.scalars(select(Registration))}


PEOPLE = [("Ana", "ana@example.org"), ("Bo", "bo@example.org"), ("Cy", "cy@example.org"),
          ("Di", "di@example.org")]


def test_the_roster_lists_each_status_with_counts_and_times(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event(capacity=2)
    made = fill(session, event, PEOPLE)
    booking.cancel(session, made[1].id)
    session.commit()
    html = organiser_client.get(f"/organise/events/{event.id}/roster").get_data(as_text=True)
    # Bo cancelled, so Cy (first in the queue) took the seat; Di still waits.
    assert "2 confirmed · 0 attended · 0 no-show · 1 waitlisted · 1 cancelled" in html
    # The waitlist has its own section near the top, before the list of people.
    waitlist = html.split('id="waitlist-heading"', 1)[1].split('id="list-heading"')[0]
    assert "di@example.org" in waitlist and "<time datetime=" in waitlist
    cancelled = organiser_client.get(f"/organise/events/{event.id}/roster?show=cancelled")
    assert "bo@example.org" in cancelled.get_data(as_text=True)


def test_marking_one_by_one_and_in_bulk(organiser_client: FlaskClient, session: Session,
                                        make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=3)
    made = fill(session, event, PEOPLE)
    begin(session, event)
    path = f"/organise/events/{event.id}/roster/mark"
    assert post(organiser_client, path, mark=f"no_show:{made[0].id}").status_code == 303
    # Several at once are confirmed on a second page first.
    assert post(organiser_client, path, mark="attended", confirmed="2",
                registration_id=[str(made[1].id), str(made[2].id)]).status_code == 303
    assert statuses(session) == {"ana@example.org": "no_show", "bo@example.org": "attended",
                                 "cy@example.org": "attended", "di@example.org": "waitlisted"}
    # Someone on the waitlist holds no seat, so cannot have attended.
    post(organiser_client, path, mark=f"attended:{made[3].id}")
    assert statuses(session)["di@example.org"] == "waitlisted"
    page = organiser_client.get(f"/organise/events/{event.id}/roster").get_data(as_text=True)
    assert "Not changed, as they hold no seat: Di." in page


def test_promoting_from_the_waitlist_by_hand_needs_a_free_seat(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event(capacity=1)
    made = fill(session, event, PEOPLE[:3])
    path = f"/organise/events/{event.id}/registrations/{made[2].id}/promote"
    refused = post(organiser_client, path)
    assert statuses(session)["cy@example.org"] == "waitlisted"
    assert refused.status_code == 409
    assert "No seat is free" in refused.get_data(as_text=True)
    event.capacity = 2  # one more seat, and nobody promoted automatically yet
    session.commit()
    post(organiser_client, path)
    assert statuses(session)["cy@example.org"] == "confirmed"
    assert session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "promoted")).one().recipient_email == "cy@example.org"


REPORT = (
    "Meeting ID,Topic,Start Time\r\n"
    "812 3456,Leading from any chair,2026-12-01 19:30\r\n"
    "\r\n"
    "Name (Original Name),User Email,Join Time,Duration (Minutes)\r\n"
    "Ana,ANA@Example.org ,19:29,30\r\n"
    "Ana,ana@example.org,19:45,12\r\n"
    "Bo,bo@example.org,19:31,29\r\n"
    "Walk-in,stranger@example.org,19:35,20\r\n"
    "Phone caller,,19:40,10\r\n"
    "Di,di@example.org,19:30,30\r\n"
)


def test_attendance_is_imported_from_a_participant_report(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event(capacity=3)
    fill(session, event, PEOPLE)
    begin(session, event)
    response = organiser_client.post(
        f"/organise/events/{event.id}/attendance",
        data={"csrf_token": organiser_client.environ_base["csrf"],
              "file": (io.BytesIO(("\ufeff" + REPORT).encode()), "participants.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert statuses(session) == {"ana@example.org": "attended", "bo@example.org": "attended",
                                 "cy@example.org": "confirmed", "di@example.org": "waitlisted"}
    assert "2 marked as attended" in html
    for line, reason in (("8", "not registered"), ("9", "no e-mail address"),
                         ("10", "on the waitlist")):
        assert f"<td>{line}</td>" in html and reason in html


@pytest.mark.parametrize("content, message", [
    (b"", "The file is empty."),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not a CSV text file"),
    (b"Name,Join Time\r\nAna,19:30\r\n", "No column called"),
    (b'User Email,Name\r\nana@example.org,Ana\x00\r\n', "not valid CSV"),
    (b'User Email,Name\r\nana@example.org,"unterminated\r\n', "not valid CSV"),
])
def test_a_malformed_report_is_explained_and_changes_nothing(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event],
        content: bytes, message: str) -> None:
    event = make_event(capacity=3)
    fill(session, event, PEOPLE[:2])
    begin(session, event)
    response = organiser_client.post(
        f"/organise/events/{event.id}/attendance",
        data={"csrf_token": organiser_client.environ_base["csrf"],
              "file": (io.BytesIO(content), "report.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert set(statuses(session).values()) == {"confirmed"}


def test_the_import_reads_everything_before_changing_anything(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=3)
    fill(session, event, PEOPLE[:1])
    begin(session, event)
    with pytest.raises(InvalidInput):
        roster.import_attendance(session, event,
                                 b"User Email\r\nana@example.org\r\n\"broken\r\n")
    assert statuses(session) == {"ana@example.org": "confirmed"}


def test_registrations_export_as_csv_without_spreadsheet_formulas(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event(capacity=1)
    fill(session, event, [("=HYPERLINK(\"x\")", "eve@example.org"), ("Bo", "bo@example.org")])
    response = organiser_client.get(f"/organise/events/{event.id}/registrations.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["name"], r["email"], r["status"], r["waitlist_position"]) for r in rows] == [
        ("'=HYPERLINK(\"x\")", "eve@example.org", "confirmed", ""),
        ("Bo", "bo@example.org", "waitlisted", "1")]


def test_announcements_reach_the_chosen_group_and_show_their_progress(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event]) -> None:
    app, inbox = mail_app
    programme = Programme(slug="mail", name="Mail Programme", timezone="Pacific/Auckland")
    db.session.add(programme)
    db.session.commit()
    event = make_event(capacity=2, programme=programme, timezone=programme.timezone)
    fill(db.session, event, PEOPLE[:3])
    db.session.query(OutboxMessage).delete()
    db.session.commit()
    make_organiser(db.session, email="lead@example.org", programme=programme)
    client = app.test_client()
    token = log_in(client, "lead@example.org")
    path = f"/organise/events/{event.id}/announcements"
    empty = client.post(path, data={"csrf_token": token, "audience": "confirmed",
                                    "subject": "", "body": ""})
    assert empty.status_code == 422 and "Please enter a subject." in empty.get_data(as_text=True)

    sent = client.post(path, data={"csrf_token": token, "audience": "confirmed",
                                   "subject": "Bring a question",
                                   "body": "We start <b>on time</b>.\n\nSee you there."})
    assert sent.status_code == 303
    queued = client.get(path).get_data(as_text=True)
    assert "<td>Bring a question</td>\n    <td>2</td>\n    <td>2</td><td>0</td><td>0</td>" in queued
    assert drain_once() == (2, 0)
    done = client.get(path).get_data(as_text=True)
    assert "<td>2</td>\n    <td>0</td><td>2</td><td>0</td>" in done
    messages = inbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["Ana <ana@example.org>", "Bo <bo@example.org>"]
    html = messages[0].get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "&lt;b&gt;on time&lt;/b&gt;" in html and "Your personal join link" in html
    assert messages[0]["Subject"].startswith("Bring a question")
