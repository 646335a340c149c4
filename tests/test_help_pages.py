"""The help pages: one for participants at /help (public, linked from every page and from
participants' e-mails), one for organisers at /organise/help (logged in), each kept true
by following every link on it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from html import unescape
from urllib.parse import urlsplit

import pytest
from flask import render_template
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from events.models import Event, Programme, Series
from tests.test_auth import log_in, make_organiser
from webapp.public import help_views

HREF = re.compile(r'href="([^"]+)"')
ID = re.compile(r'id="([^"]+)"')


def links_on(page: str) -> list[str]:
    return [unescape(href) for href in HREF.findall(page)]


def follow_every_link(client: FlaskClient, path: str) -> list[str]:
    """Open ``path`` and every link on it; the broken ones, with what they answered."""
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    anchors = set(ID.findall(page))
    broken = []
    links = links_on(page)
    assert len(links) > 5
    for href in links:
        parts = urlsplit(href)
        if href.startswith("#"):
            if href[1:] not in anchors:
                broken.append(f"{href}: no such anchor")
            continue
        assert not parts.netloc or parts.netloc in ("localhost", "mingle.example.org"), href
        answer = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        if answer.status_code != 200:
            broken.append(f"{href}: {answer.status_code}")
    return broken


def test_every_link_on_the_participants_help_works(
        client: FlaskClient, make_event: Callable[..., Event]) -> None:
    make_event()
    assert follow_every_link(client, "/help") == []


def test_the_participants_help_answers_what_people_ask(client: FlaskClient) -> None:
    page = client.get("/help").get_data(as_text=True)
    for words in ("What each e-mail means", "Your calendar entry", "replaces the old one",
                  "Cancelling, and getting a new link", "Ask for the link to your places",
                  "What Mingle keeps about you", "Nothing is deleted on a timer",
                  "Your place: …", "You're on the waitlist"):
        assert words in page, words


def test_the_participants_help_is_public_kept_and_linked_from_every_page(
        client: FlaskClient, make_event: Callable[..., Event],
        monkeypatch: pytest.MonkeyPatch) -> None:
    event = make_event()
    rendered: list[str] = []

    def counting(name: str, **context: object) -> str:
        rendered.append(name)
        return render_template(name, **context)

    monkeypatch.setattr(help_views, "render_template", counting)
    first = client.get("/help")
    assert first.status_code == 200
    assert client.get("/help").get_data() == first.get_data()
    assert rendered == ["public/help.html"]  # built once, then the kept copy
    for path in ("/", f"/events/{event.id}"):
        assert 'href="/help"' in client.get(path).get_data(as_text=True), path


def test_the_organisers_help_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/organise/help")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_link_on_the_organisers_help_opens_the_organisers_own_screens(
        client: FlaskClient, session: Session, programme: Programme,
        make_event: Callable[..., Event]) -> None:
    series = Series(programme=programme, title="Leaders in every chair", target_attendance=3,
                    published_at=datetime.now(UTC))
    session.add(series)
    session.commit()
    event = make_event(series=series, title="Leading from the front desk")
    make_organiser(session, programme=programme)
    log_in(client)
    page = client.get("/organise/help").get_data(as_text=True)
    for screen in (f"/organise/programmes/{programme.id}/series/new",
                   f"/organise/programmes/{programme.id}/events/new",
                   f"/organise/events/{event.id}/roster", f"/organise/series/{series.id}/feedback",
                   f"/organise/series/{series.id}/report"):
        assert f'href="{screen}"' in page, screen
    for step in ("The programme", "A series, with a target", "The events", "Inviting speakers",
                 "Publishing", "The night itself", "Attendance", "Feedback", "The report"):
        assert step in page, step
    assert 'href="/organise/help"' in client.get("/organise/").get_data(as_text=True)
    assert follow_every_link(client, "/organise/help") == []


def test_the_organisers_help_works_in_an_empty_workspace(
        client: FlaskClient, session: Session) -> None:
    make_organiser(session)
    log_in(client)
    assert follow_every_link(client, "/organise/help") == []
