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

from events import attendance_import, booking, limits, registrations, roster
from events.errors import InvalidInput, NotOpen
from events.models import (
    Event,
    OutboxMessage,
    Programme,
    Registration,
    RegistrationStatus,
)
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
    # The import has a page of its own, linked from the top.
    assert 'type="file"' not in html
    assert f'href="/organise/events/{event.id}/attendance"' in html.split('id="list-heading"')[0]
    assert 'type="file"' in organiser_client.get(
        f"/organise/events/{event.id}/attendance").get_data(as_text=True)
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
        attendance_import.import_attendance(session, event,
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


MORE = [("Eve", "eve@example.org"), ("Fay", "fay@example.org"), ("Gus", "gus@example.org")]


def roster_html(client: FlaskClient, event: Event, query: str = "") -> str:
    response = client.get(f"/organise/events/{event.id}/roster{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def listed(html: str) -> list[str]:
    """The e-mails in the roster's list (not the waitlist section above it)."""
    table = html.split('id="list-heading"', 1)[1]
    return [cell.split("</td>")[0] for cell in table.split('<td class="email">')[1:]]


def test_the_roster_shows_one_list_at_a_time_and_finds_people_by_name_or_email(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event(capacity=3)
    made = fill(session, event, PEOPLE + MORE)
    booking.cancel(session, made[1].id)  # Bo gives back a seat: Di takes it
    session.commit()
    assert listed(roster_html(organiser_client, event)) == [
        "ana@example.org", "cy@example.org", "di@example.org"]
    assert listed(roster_html(organiser_client, event, "?show=waitlisted")) == [
        "eve@example.org", "fay@example.org", "gus@example.org"]
    assert listed(roster_html(organiser_client, event, "?show=cancelled")) == ["bo@example.org"]
    assert len(listed(roster_html(organiser_client, event, "?show=all"))) == 7
    # Any case, part of a name or of an address; within the chosen list.
    assert listed(roster_html(organiser_client, event, "?q=CY")) == ["cy@example.org"]
    assert listed(roster_html(organiser_client, event, "?show=waitlisted&q=fay@EX")) == [
        "fay@example.org"]
    assert listed(roster_html(organiser_client, event, "?q=eve")) == []  # waiting, not seated
    # Wildcards are searched for as they are, and an unknown list is the default one.
    assert "Nobody in this list matches “%”." in roster_html(organiser_client, event, "?q=%")
    assert len(listed(roster_html(organiser_client, event, "?show=nonsense"))) == 3
    tabs = roster_html(organiser_client, event, "?show=waitlisted")
    assert 'aria-current="page">Waitlist <span class="count">3</span>' in tabs


def test_a_long_roster_comes_in_pages(organiser_client: FlaskClient, session: Session,
                                      make_event: Callable[..., Event],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "ROSTER_PAGE_SIZE", 2)
    event = make_event(capacity=10)
    fill(session, event, PEOPLE + MORE)
    first = roster_html(organiser_client, event)
    assert listed(first) == ["ana@example.org", "bo@example.org"]
    assert "Page 1 of 4" in first and "?page=2" in first
    assert listed(roster_html(organiser_client, event, "?page=4")) == ["gus@example.org"]
    # A page past the end shows the last one.
    assert listed(roster_html(organiser_client, event, "?page=99")) == ["gus@example.org"]


def test_select_all_marks_everyone_in_the_list_on_every_page_after_confirming(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "ROSTER_PAGE_SIZE", 2)
    event = make_event(capacity=5)
    made = fill(session, event, PEOPLE + MORE)
    begin(session, event)
    path = f"/organise/events/{event.id}/roster/mark"
    post(organiser_client, path, mark=f"no_show:{made[0].id}")
    asked = post(organiser_client, path, mark="attended", scope="all", show="confirmed")
    # A second page says what will happen; nothing has changed yet.
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Mark 4 people as attended?" in page and "4 people will be marked as attended." in page
    assert 'name="confirmed" value="4"' in page and 'name="csrf_token"' in page
    assert list(statuses(session).values()).count("confirmed") == 4
    # The list changed since the page was shown: asked again, with the new number.
    post(organiser_client, path, mark=f"no_show:{made[1].id}")
    again = post(organiser_client, path, mark="attended", scope="all", show="confirmed",
                 confirmed="4")
    assert again.status_code == 200
    assert "Mark 3 people as attended?" in again.get_data(as_text=True)
    done = post(organiser_client, path, mark="attended", scope="all", show="confirmed",
                confirmed="3")
    assert done.status_code == 303 and done.location.endswith("roster?show=confirmed")
    assert statuses(session) == {"ana@example.org": "no_show", "bo@example.org": "no_show",
                                 "cy@example.org": "attended", "di@example.org": "attended",
                                 "eve@example.org": "attended", "fay@example.org": "waitlisted",
                                 "gus@example.org": "waitlisted"}


def test_select_all_keeps_to_the_search(organiser_client: FlaskClient, session: Session,
                                        make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=5)
    fill(session, event, PEOPLE)
    begin(session, event)
    path = f"/organise/events/{event.id}/roster/mark"
    done = post(organiser_client, path, mark="no_show", scope="all", show="seat", q="bo")
    assert done.status_code == 303
    assert statuses(session) == {"ana@example.org": "confirmed", "bo@example.org": "no_show",
                                 "cy@example.org": "confirmed", "di@example.org": "confirmed"}


def test_attendance_cannot_be_recorded_before_the_event_starts(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event(capacity=3)
    made = fill(session, event, PEOPLE[:2])
    refused = post(organiser_client, f"/organise/events/{event.id}/roster/mark",
                   mark=f"attended:{made[0].id}")
    assert refused.status_code == 409
    assert "Attendance can be recorded once the event has started" in refused.get_data(
        as_text=True)
    imported = organiser_client.post(
        f"/organise/events/{event.id}/attendance",
        data={"csrf_token": organiser_client.environ_base["csrf"],
              "file": (io.BytesIO(REPORT.encode()), "participants.csv")},
        content_type="multipart/form-data")
    assert imported.status_code == 409
    assert "Attendance can be recorded once the event has started" in imported.get_data(
        as_text=True)
    assert set(statuses(session).values()) == {"confirmed"}
    # The rule is the domain's, whoever moves the place.
    place = session.get(Registration, made[0].id)
    assert place is not None
    with pytest.raises(NotOpen, match="once the event has started"):
        registrations.move(session, place, RegistrationStatus.attended, datetime.now(UTC))
    session.rollback()
    page = roster_html(organiser_client, event)
    assert "Attendance can be marked once the event has started." in page
    assert 'value="attended:' not in page


def test_removing_a_person_asks_first_then_cancels_their_place(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event(capacity=2)
    made = fill(session, event, PEOPLE[:3])
    session.query(OutboxMessage).delete()
    session.commit()
    path = f"/organise/events/{event.id}/registrations/{made[0].id}/remove"
    assert f'href="{path}"' in roster_html(organiser_client, event)
    asked = organiser_client.get(path)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "ana@example.org) will lose their seat" in page
    assert "The seat goes to the first person on the waitlist, Cy" in page
    assert f'action="{path}"' in page and 'name="csrf_token"' in page
    assert statuses(session)["ana@example.org"] == "confirmed"
    assert organiser_client.post(path).status_code == 400  # no CSRF token, nothing done
    assert post(organiser_client, path).status_code == 303
    assert statuses(session) == {"ana@example.org": "cancelled", "bo@example.org": "confirmed",
                                 "cy@example.org": "confirmed"}
    told = {(m.kind, m.recipient_email) for m in session.scalars(select(OutboxMessage))}
    assert told == {("cancelled", "ana@example.org"), ("promoted", "cy@example.org")}


def test_nobody_is_removed_once_the_event_has_begun(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
        ) -> None:
    event = make_event(capacity=2)
    made = fill(session, event, PEOPLE[:1])
    begin(session, event)
    path = f"/organise/events/{event.id}/registrations/{made[0].id}/remove"
    asked = organiser_client.get(path)
    assert asked.status_code == 409 and "Mark them as a no-show instead" in asked.get_data(
        as_text=True)
    assert post(organiser_client, path).status_code == 409
    assert statuses(session) == {"ana@example.org": "confirmed"}


def test_the_demo_has_a_roster_in_every_status_and_events_held_and_to_come(
        session: Session) -> None:
    from events import dashboard, demo

    programme = demo.seed_demo(session)
    session.commit()
    held = session.scalars(select(Event).where(
        Event.title == "Webinar: Open access in practice")).one()
    page = roster.roster_page(session, held, roster.Selection())
    assert page.counts == {"confirmed": 18, "attended": 150, "no_show": 32,
                           "waitlisted": 24, "cancelled": 6}
    assert page.pages == 2 and len(page.waitlist_head) == limits.ROSTER_WAITLIST_SHOWN
    board = dashboard.for_programme(session, programme)
    assert held.id in {row.event.id for row in board.held} and board.to_come
    # Their confirmations went at the time: nothing of theirs waits to be sent.
    assert not session.scalars(select(OutboxMessage).where(
        OutboxMessage.event_id == held.id, OutboxMessage.status == "queued")).all()
