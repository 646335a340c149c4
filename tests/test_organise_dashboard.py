"""Seeing how it went: targets against RSVPs, waitlists and attendance, with chart and CSV."""

from __future__ import annotations

import csv
import io
import itertools
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from events import dashboard
from events.models import (
    Event,
    EventStatus,
    Person,
    Programme,
    Registration,
    RegistrationStatus,
    Series,
)
from tests.test_auth import log_in, make_organiser

SVG = "{http://www.w3.org/2000/svg}"


def seat(session: Session, event: Event, count: int, status: RegistrationStatus,
         start: int) -> None:
    for n in range(start, start + count):
        person = Person(name=f"Person {n}", email=f"p{n}@example.org")
        session.add(Registration(event=event, person=person, status=status))


@pytest.fixture
def season(session: Session, programme: Programme,
           make_event: Callable[..., Event]) -> Series:
    """Three conversations, two held and one to come: 185 RSVPs (62, 62, 61), a target
    of 3 each."""
    series = Series(programme=programme, title="Leading from any chair", target_attendance=3)
    session.add(series)
    soon = datetime.now(UTC) + timedelta(days=1)
    events = [make_event(series=series, title=f"Conversation {n + 1}",
                         starts_at=soon + timedelta(weeks=n - 2)) for n in range(3)]
    seat(session, events[0], 50, RegistrationStatus.attended, 0)
    seat(session, events[0], 12, RegistrationStatus.no_show, 100)
    seat(session, events[1], 62, RegistrationStatus.confirmed, 200)
    seat(session, events[2], 61, RegistrationStatus.confirmed, 300)
    seat(session, events[2], 4, RegistrationStatus.waitlisted, 400)
    seat(session, events[2], 2, RegistrationStatus.cancelled, 500)
    make_event(series=series, title="Unpublished idea", status=EventStatus.draft)
    make_event(series=series, title="Called off", status=EventStatus.cancelled,
               cancel_reason="Guest unwell", starts_at=soon + timedelta(weeks=5))
    session.commit()
    return series


def test_series_totals_read_as_a_sentence_against_the_target(session: Session,
                                                             season: Series) -> None:
    board = dashboard.for_series(session, season)
    assert [row.event.title for row in board.rows] == [
        "Conversation 1", "Conversation 2", "Conversation 3", "Called off"]
    assert [(r.target, r.rsvps, r.waitlist, r.attended) for r in board.rows[:3]] == [
        (3, 62, 0, 50), (3, 62, 0, 0), (3, 61, 4, 0)]
    # Averages over the events held only; the one to come is counted apart.
    assert board.summary("rsvps") == ("62 per event across two events held (124 in all) "
                                      "against a target of 3; one still to come.")
    assert board.summary("attended") == ("25 per event across two events held (50 in all) "
                                         "against a target of 3; one still to come.")
    assert board.to_come_summary() == "61 RSVPs so far for one event still to come."


def test_an_event_target_overrides_the_series_target(session: Session, season: Series) -> None:
    # The series' first event by time (the relationship's own order is the database's).
    min(season.events, key=lambda event: (event.starts_at, event.id)).target_attendance = 40
    session.commit()
    rows = dashboard.for_series(session, season).rows
    assert [row.target for row in rows[:3]] == [40, 3, 3]


def test_the_dashboard_page_has_a_described_chart_and_a_table(
        client: FlaskClient, session: Session, programme: Programme, season: Series) -> None:
    make_organiser(session, programme=programme)
    log_in(client)
    html = client.get(f"/organise/series/{season.id}/dashboard").get_data(as_text=True)
    assert "62 per event across two events held (124 in all) against a target of 3" in html
    assert "61 RSVPs so far for one event still to come." in html
    svg_text = html[html.index("<svg"):html.index("</svg>") + 6]
    svg = ET.fromstring(svg_text)
    assert svg.get("role") == "img"
    labelled = svg.get("aria-labelledby", "").split()
    texts = {element.get("id"): element.text for element in svg.iter()
             if element.get("id") in labelled}
    assert "Target, RSVPs and attended per event" in (texts[labelled[0]] or "")
    assert "Conversation 1: target 3, 62 RSVPs, 50 attended" in (texts[labelled[1]] or "")
    assert len(svg.findall(f"{SVG}rect")) == 3 + 3 * 4  # legend + three bars per event
    table = html[html.index("<table"):]
    assert "<caption>Target and results per event</caption>" in table
    assert "<td>62</td><td>0</td><td>50</td>" in table
    programme_page = client.get(f"/organise/programmes/{programme.id}/dashboard")
    assert "across two events held" in programme_page.get_data(as_text=True)


def test_the_dashboard_exports_as_csv(client: FlaskClient, session: Session,
                                      programme: Programme, season: Series) -> None:
    make_organiser(session, programme=programme)
    log_in(client)
    for path in (f"/organise/series/{season.id}/dashboard.csv",
                 f"/organise/programmes/{programme.id}/dashboard.csv"):
        response = client.get(path)
        assert response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert [(r["title"], r["target"], r["rsvps"], r["waitlist"], r["attended"])
                for r in rows] == [
            ("Conversation 1", "3", "62", "0", "50"), ("Conversation 2", "3", "62", "0", "0"),
            ("Conversation 3", "3", "61", "4", "0"), ("Called off", "3", "0", "0", "0"),
            ("total", "", "185", "4", "50")]


@pytest.mark.parametrize("title", ["=cmd|' /C calc'!A0", "\t=1+2", "\r=1+2", "+1", "-1",
                                   "@SUM(A1)"])
def test_the_dashboard_csv_never_starts_a_cell_with_a_formula(
        client: FlaskClient, session: Session, programme: Programme, season: Series,
        title: str) -> None:
    first = min(season.events, key=lambda event: event.starts_at)
    first.title = title
    session.commit()
    make_organiser(session, programme=programme)
    log_in(client)
    response = client.get(f"/organise/series/{season.id}/dashboard.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert rows[0]["title"] == "'" + title


def test_a_title_with_markup_cannot_break_out_of_the_chart(
        client: FlaskClient, session: Session, programme: Programme, season: Series) -> None:
    season.events[0].title = '</title><script>alert(1)</script>'
    session.commit()
    make_organiser(session, programme=programme)
    log_in(client)
    html = client.get(f"/organise/series/{season.id}/dashboard").get_data(as_text=True)
    svg = html[html.index("<svg"):html.index("</svg>") + 6]
    assert "<script>" not in svg
    ET.fromstring(svg)


def test_events_still_to_come_are_shown_apart_and_not_averaged(
        client: FlaskClient, session: Session, programme: Programme, season: Series) -> None:
    make_organiser(session, programme=programme)
    log_in(client)
    html = client.get(f"/organise/series/{season.id}/dashboard").get_data(as_text=True)
    table = html[html.index("<table"):]
    row = table.split("Conversation 3</a>", 1)[1].split("</tr>")[0]
    assert row.startswith(" (still to come)") and "<td>61</td><td>4</td><td>—</td>" in row
    assert "<th scope=\"row\" colspan=\"3\">Events held</th><td>124</td>" in table
    assert "<th scope=\"row\" colspan=\"3\">Still to come</th><td>61</td><td>4</td>" in table


def test_no_event_held_yet_gives_no_average(session: Session, programme: Programme,
                                            make_event: Callable[..., Event]) -> None:
    event = make_event(title="Next week")
    seat(session, event, 40, RegistrationStatus.confirmed, 0)
    session.commit()
    board = dashboard.for_programme(session, programme)
    assert board.summary("rsvps") == "No events held yet; one still to come."
    assert board.to_come_summary() == "40 RSVPs so far for one event still to come."


def test_the_chart_stays_readable_with_seventeen_events(
        client: FlaskClient, session: Session, programme: Programme,
        make_event: Callable[..., Event]) -> None:
    series = Series(programme=programme, title="A long season", target_attendance=20)
    session.add(series)
    start = datetime.now(UTC) - timedelta(weeks=10)
    for n in range(17):
        event = make_event(series=series, title=f"Conversation number {n + 1} of a long season",
                           starts_at=start + timedelta(weeks=n))
        seat(session, event, n + 1, RegistrationStatus.attended, 100 * n)
    session.commit()
    make_organiser(session, programme=programme)
    log_in(client)
    html = client.get(f"/organise/series/{series.id}/dashboard").get_data(as_text=True)
    svg = ET.fromstring(html[html.index("<svg"):html.index("</svg>") + 6])
    width, height = int(svg.get("width", "0")), int(svg.get("height", "0"))
    # A bar per event across the page, the chart growing downwards: as wide as ever.
    assert width <= 640 and height > 17 * 30
    labels = [text for text in svg.iter(f"{SVG}text")
              if ". " in (text.text or "") and text.text.split(". ", 1)[0].isdigit()]  # type: ignore[union-attr]
    assert [label.text.split(". ", 1)[0] for label in labels] == [
        str(n) for n in range(1, 18)]  # type: ignore[union-attr]
    assert labels[0].text.startswith("1. Conversation number 1")  # type: ignore[union-attr]
    rows = [float(label.get("y", "0")) for label in labels]
    assert min(b - a for a, b in itertools.pairwise(rows)) >= 24  # 12-px text, no overlap
    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert len(bars) == 17 * 3
    # Horizontal: every bar starts at the same line and grows to the right.
    assert len({rect.get("x") for rect in bars}) == 1
