"""Downloads and subscribable feeds over HTTP: headers, conditional GET, contents,
and the private meeting link never showing anywhere public."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import update
from sqlalchemy.orm import Session

from events import booking
from events.changes import cancel_event, update_event
from events.models import Event, EventStatus, Programme, Series
from tests.conftest import csrf_token_from
from tests.icaljs.run import parse as icaljs

FEEDS = ["/calendar.ics", "/programmes/conversations/calendar.ics"]


def uids(body: bytes) -> list[str]:
    return [entry["uid"] for entry in icaljs(body)["events"]]


@pytest.fixture
def series(session: Session, programme: Programme) -> Series:
    series = Series(programme=programme, title="Leaders; in every chair",
                    published_at=datetime.now(UTC))
    session.add(series)
    session.commit()
    return series


def every_public_path(event: Event, series: Series) -> list[str]:
    return [f"/events/{event.id}.ics", "/calendar.ics", "/programmes/conversations/calendar.ics",
            f"/series/{series.id}/calendar.ics"]


def test_every_calendar_is_served_as_utf8_icalendar_with_strong_validators(
        client: FlaskClient, make_event: Callable[..., Event], series: Series) -> None:
    event = make_event(series=series)
    for path in every_public_path(event, series):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        etag = response.headers["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/"), path
        assert response.last_modified == event.updated_at.replace(microsecond=0)
        assert response.data.startswith(b"BEGIN:VCALENDAR\r\n")
        assert Calendar.from_ical(response.data).walk("VEVENT")
        assert uids(response.data) == [f"event-{event.id}@mingle.example.org"], path


@pytest.mark.parametrize("path", [*FEEDS, "series", "download"])
def test_unchanged_calendars_answer_304_to_either_validator_and_change_after_an_update(
        client: FlaskClient, session: Session, make_event: Callable[..., Event],
        series: Series, path: str) -> None:
    event = make_event(series=series)
    path = {"series": f"/series/{series.id}/calendar.ics",
            "download": f"/events/{event.id}.ics"}.get(path, path)
    first = client.get(path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(path).data == first.data  # byte-identical while nothing changes

    by_etag = client.get(path, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.data == b""
    by_date = client.get(path, headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304

    update_event(session, event.id, title="A new title")
    session.commit()
    # Last-Modified has one-second resolution; the ETag tells the change.
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    [entry] = icaljs(changed.data)["events"]
    assert entry["summary"] == "A new title" and entry["sequence"] == 1


def test_feeds_carry_names_zone_and_refresh_hints(
        client: FlaskClient, make_event: Callable[..., Event], series: Series) -> None:
    make_event(series=series)
    expected = {"/calendar.ics": "Mingle: all events",
                "/programmes/conversations/calendar.ics": "Library Conversations",
                f"/series/{series.id}/calendar.ics":
                    "Library Conversations: Leaders; in every chair"}
    for path, name in expected.items():
        read = icaljs(client.get(path).data)
        assert read["method"] == "PUBLISH"
        assert read["calname"] == read["calendarName"] == name, path
        assert read["wrTimezone"] == "Pacific/Auckland"
        assert read["refreshInterval"]["value"] == "PT1H"
        assert read["refreshInterval"]["type"] == "duration"
        assert read["publishedTtl"] == "PT1H"


def test_a_programme_name_with_comma_semicolon_and_backslash_is_escaped_in_its_feed(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    heroes = Programme(slug="heroes", name="Heroes, Mingle; NZ \\ Aotearoa",
                       timezone="Pacific/Auckland", published_at=datetime.now(UTC))
    session.add(heroes)
    session.commit()
    make_event(programme=heroes)
    body = client.get("/programmes/heroes/calendar.ics").data
    assert b"\r\nX-WR-CALNAME:Heroes\\, Mingle\\; NZ \\\\ Aotearoa\r\n" in body
    assert b"\r\nNAME:Heroes\\, Mingle\\; NZ \\\\ Aotearoa\r\n" in body
    assert icaljs(body)["calname"] == "Heroes, Mingle; NZ \\ Aotearoa"


def test_each_feed_holds_its_own_public_events_once_and_no_attendees(
        client: FlaskClient, session: Session, make_event: Callable[..., Event],
        series: Series) -> None:
    other = Programme(slug="book-club", name="Book club", timezone="Europe/Berlin")
    session.add(other)
    session.commit()
    in_series = make_event(series=series)
    loose = make_event(title="Loose")
    elsewhere = make_event(programme=other, timezone="Europe/Berlin", title="Elsewhere")
    make_event(title="Draft", status=EventStatus.draft)
    # Registrations never turn into ATTENDEE lines in a public feed.
    for email in ("a@example.org", "b@example.org"):
        booking.register(session, in_series.id, "Someone", email)
    session.commit()

    everything = client.get("/calendar.ics").data
    assert sorted(uids(everything)) == sorted(
        f"event-{e.id}@mingle.example.org" for e in (in_series, loose, elsewhere))
    assert icaljs(everything)["timezones"] == ["Europe/Berlin", "Pacific/Auckland"]
    assert uids(client.get("/programmes/conversations/calendar.ics").data) == [
        f"event-{e.id}@mingle.example.org" for e in (in_series, loose)]
    assert uids(client.get(f"/series/{series.id}/calendar.ics").data) == [
        f"event-{in_series.id}@mingle.example.org"]
    for path in ("/calendar.ics", f"/series/{series.id}/calendar.ics"):
        body = client.get(path).data
        assert b"ATTENDEE" not in body and b"example.org\r\n" not in body.replace(
            b"mingle.example.org", b"")
        assert len(set(uids(body))) == len(uids(body))


def test_an_empty_feed_is_a_valid_calendar_with_validators(
        client: FlaskClient, programme: Programme) -> None:
    for path in ("/calendar.ics", "/programmes/conversations/calendar.ics"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["ETag"] and response.headers["Last-Modified"]
        read = icaljs(response.data)
        assert read["name"] == "vcalendar" and read["events"] == []
        assert Calendar.from_ical(response.data).walk("VEVENT") == []
        assert client.get(path, headers={
            "If-None-Match": response.headers["ETag"]}).status_code == 304


def test_cancelled_events_stay_in_feeds_30_days_then_leave(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event()
    cancel_event(session, event.id, "The guest is unwell")
    session.commit()
    for path in [*FEEDS, f"/events/{event.id}.ics"]:
        [entry] = icaljs(client.get(path).data)["events"]
        assert entry["status"] == "CANCELLED" and entry["sequence"] == 1, path
        assert entry["summary"].startswith("Cancelled: ")

    session.execute(update(Event).where(Event.id == event.id).values(
        updated_at=datetime.now(UTC) - timedelta(days=31)))
    session.commit()
    for path in FEEDS:
        assert icaljs(client.get(path).data)["events"] == [], path


def test_unknown_programmes_series_and_drafts_are_404(
        client: FlaskClient, make_event: Callable[..., Event]) -> None:
    draft = make_event(status=EventStatus.draft)
    for path in ("/programmes/nope/calendar.ics", "/series/999/calendar.ics",
                 f"/events/{draft.id}.ics", "/events/999.ics"):
        assert client.get(path).status_code == 404, path


def test_the_meeting_link_appears_nowhere_public(
        app_factory: Callable[..., Flask], session: Session,
        make_event: Callable[..., Event], series: Series) -> None:
    secret = "https://meet.example.net/secret-room-4417"
    event = make_event(series=series, meeting_url=secret)
    cancelled = make_event(meeting_url=secret + "-b")
    cancel_event(session, cancelled.id, "Unwell")
    session.commit()
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    token = csrf_token_from(client.get(f"/events/{event.id}").get_data(as_text=True))
    rsvp = client.post(f"/events/{event.id}/rsvp", data={
        "csrf_token": token, "name": "Ada", "email": "ada@example.org"})
    api = client.post(f"/api/v1/events/{event.id}/registrations",
                      data=json.dumps({"name": "Bo", "email": "bo@example.org"}),
                      content_type="application/json")
    responses = {"rsvp": rsvp, "api rsvp": api}
    for path in ["/", f"/events/{event.id}", f"/events/{cancelled.id}",
                 *every_public_path(event, series), f"/events/{cancelled.id}.ics",
                 "/api/v1/events", f"/api/v1/events/{event.id}",
                 f"/api/v1/events/{cancelled.id}"]:
        responses[path] = client.get(path)
    for name, response in responses.items():
        assert response.status_code in (200, 201), name
        assert b"meet.example.net" not in response.data, name
        assert b"secret-room" not in response.data, name


def test_the_feed_of_a_series_with_nothing_published_answers_as_an_unknown_one(
        client: FlaskClient, session: Session, make_event: Callable[..., Event],
        series: Series) -> None:
    # Ids are sequential: a draft's feed must not give its name away.
    unknown = client.get("/series/999999/calendar.ics")
    assert client.get(f"/series/{series.id}/calendar.ics").data == unknown.data
    assert unknown.status_code == 404
    make_event(series=series, status=EventStatus.draft)
    reply = client.get(f"/series/{series.id}/calendar.ics")
    assert reply.status_code == 404 and series.title.encode() not in reply.data
    make_event(series=series)
    assert client.get(f"/series/{series.id}/calendar.ics").status_code == 200


def test_a_feed_read_in_batches_is_byte_for_byte_the_one_written_from_all_its_events(
        app: Flask, client: FlaskClient, session: Session, make_event: Callable[..., Event],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from events import calendar, catalogue
    from webapp.site import current_site

    # Batches of two, so that five events in two zones cross batch boundaries.
    monkeypatch.setattr(catalogue, "FEED_BATCH", 2)
    other = Programme(slug="book-club", name="Book club", timezone="Europe/Berlin")
    session.add(other)
    session.commit()
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    events = [make_event(title=f"Talk {n}", starts_at=start + timedelta(days=40 * n))
              for n in range(3)]
    events += [make_event(programme=other, timezone="Europe/Berlin", title=f"Berlin {n}",
                          starts_at=start + timedelta(days=200 * n)) for n in range(2)]
    events.sort(key=lambda event: (event.starts_at, event.id))

    served = client.get("/calendar.ics").data

    with app.test_request_context():
        written = calendar.feed(events, current_site(), "Mingle: all events",
                                events[0].timezone,
                                now=max(event.updated_at for event in events))
    assert served == written
    assert len(uids(served)) == 5
