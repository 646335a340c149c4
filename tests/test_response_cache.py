"""Kept copies of pages, JSON and feeds never outlive a change to the database."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from events.models import Event
from tests.conftest import ROOT, csrf_token_from
from webapp.feeds.views import FEED_FRESH_WITHIN

CHANGE_ELSEWHERE = """
import sys
from sqlalchemy import create_engine, text
engine = create_engine(sys.argv[1])
with engine.begin() as connection:
    connection.execute(
        text("UPDATE events SET title = :title, capacity = :capacity WHERE id = :id"),
        {"title": sys.argv[2], "capacity": int(sys.argv[3]), "id": int(sys.argv[4])})
"""


def change_in_another_process(url: str, event_id: int, title: str, capacity: int) -> None:
    subprocess.run([sys.executable, "-c", CHANGE_ELSEWHERE, url, title, str(capacity),
                    str(event_id)], cwd=ROOT, check=True, timeout=60)


def test_seats_left_on_pages_and_api_follow_each_rsvp(
        client: FlaskClient, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=3)
    for seats_left in (3, 2, 1, 0):
        page = client.get(f"/events/{event.id}").get_data(as_text=True)
        home = client.get("/").get_data(as_text=True)
        listed = client.get("/api/v1/events").get_json()["events"][0]
        shown = client.get(f"/api/v1/events/{event.id}").get_json()
        assert listed["seats_left"] == shown["seats_left"] == seats_left
        if seats_left:
            assert f"{seats_left} of 3 seats left" in page and f"{seats_left} of 3" in home
            response = client.post(f"/api/v1/events/{event.id}/registrations",
                                   json={"name": "Ada", "email": f"ada{seats_left}@example.org"})
            assert response.status_code == 201
        else:
            assert "Join the waitlist" in page and "Full" in home


def test_a_change_committed_by_another_process_shows_on_the_next_request(
        app_factory: Callable[..., Flask], make_event: Callable[..., Event],
        database_url: str) -> None:
    event = make_event(title="Before the change", capacity=200)
    # An app of its own, so that each request gets its own context as in production.
    client = app_factory().test_client()
    assert "Before the change" in client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Before the change" in client.get("/").get_data(as_text=True)
    feed = client.get("/calendar.ics")
    assert b"Before the change" in feed.data

    change_in_another_process(database_url, event.id, "After the change", 150)
    # Feeds may show another process's change this much later (pages may not).
    time.sleep(FEED_FRESH_WITHIN)

    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "After the change" in page and "150 of 150 seats left" in page
    assert "After the change" in client.get("/").get_data(as_text=True)
    assert client.get("/api/v1/events").get_json()["events"][0]["capacity"] == 150
    again = client.get("/calendar.ics", headers={"If-None-Match": feed.headers["ETag"]})
    assert again.status_code == 200 and b"After the change" in again.data


def test_an_unchanged_feed_answers_304_and_a_changed_one_does_not(
        client: FlaskClient, make_event: Callable[..., Event], session: Session) -> None:
    event = make_event(title="Stable")
    etag = client.get("/calendar.ics").headers["ETag"]
    assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304
    event.title = "Renamed"
    session.commit()
    changed = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"Renamed" in changed.data


def test_a_304_repeats_the_etag_and_caching_headers_of_the_feed(
        client: FlaskClient, make_event: Callable[..., Event]) -> None:
    make_event(title="Stable")
    full = client.get("/calendar.ics")
    for condition in (full.headers["ETag"], f'W/{full.headers["ETag"]}', "*",
                      f'"elsewhere", {full.headers["ETag"]}'):
        unchanged = client.get("/calendar.ics", headers={"If-None-Match": condition})
        assert unchanged.status_code == 304 and unchanged.data == b""
        for header in ("ETag", "Cache-Control"):
            assert unchanged.headers[header] == full.headers[header]
    assert client.get("/calendar.ics",
                      headers={"If-None-Match": '"elsewhere"'}).status_code == 200
    since = client.get("/calendar.ics",
                       headers={"If-Modified-Since": full.headers["Last-Modified"]})
    assert since.status_code == 304


def test_each_visitor_of_a_kept_page_gets_their_own_working_csrf_token(
        app_factory: Callable[..., Flask], make_event: Callable[..., Event]) -> None:
    event = make_event()
    # An app of its own, so that each request gets its own context as in production.
    served = app_factory()
    ada, grace = served.test_client(), served.test_client()
    tokens = [csrf_token_from(visitor.get(f"/events/{event.id}").get_data(as_text=True))
              for visitor in (ada, grace)]
    assert tokens[0] != tokens[1]
    refused = grace.post(f"/events/{event.id}/rsvp", data={
        "csrf_token": tokens[0], "name": "Grace", "email": "grace@example.org"})
    assert refused.status_code == 400
    accepted = grace.post(f"/events/{event.id}/rsvp", data={
        "csrf_token": tokens[1], "name": "Grace", "email": "grace@example.org"})
    assert accepted.status_code == 200


def test_a_feed_poll_within_the_freshness_window_asks_the_database_nothing(
        client: FlaskClient, make_event: Callable[..., Event], app: Flask,
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_event(title="Stable")
    etag = client.get("/calendar.ics").headers["ETag"]
    watcher = app.extensions["mingle_response_cache"][1]
    questions: list[int] = []
    real_ask = watcher._ask
    monkeypatch.setattr(watcher, "_ask", lambda: questions.append(1) or real_ask())
    for _ in range(5):
        assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304
    assert len(questions) <= 1
    time.sleep(FEED_FRESH_WITHIN)
    client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert len(questions) >= 1
    # Pages still ask on every request.
    before = len(questions)
    client.get("/")
    client.get("/")
    assert len(questions) == before + 2
