"""Public programme and series pages: what they show, to whom, and that a draft programme or
series (or a series with nothing published) answers exactly as an unknown one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from events import listings
from events.models import Event, EventStatus, Programme, Series
from tests.conftest import csrf_token_from
from tests.test_auth import log_in, make_organiser

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def series(session: Session, programme: Programme) -> Series:
    series = Series(programme=programme, title="Leading from any chair",
                    theme="Leadership without a title", target_attendance=17,
                    description="Three *short* conversations.", published_at=NOW)
    session.add(series)
    session.commit()
    return series


def paths_of(programme: Programme, series: Series) -> list[str]:
    return [f"/programmes/{programme.slug}", f"/programmes/{programme.slug}/calendar.ics",
            f"/series/{series.id}", f"/series/{series.id}/any-slug",
            f"/series/{series.id}/calendar.ics"]


def test_a_programme_page_shows_its_series_upcoming_events_and_feed(
        client: FlaskClient, session: Session, programme: Programme, series: Series,
        make_event: Callable[..., Event]) -> None:
    make_event(series=series, title="In the series", starts_at=NOW + timedelta(days=3))
    make_event(title="On its own", starts_at=NOW + timedelta(days=4))
    make_event(title="Long over", starts_at=NOW - timedelta(days=4))
    make_event(title="A draft", status=EventStatus.draft)
    hidden = Series(programme=programme, title="Unpublished series", published_at=None)
    session.add(hidden)
    session.commit()
    make_event(series=hidden, title="In a hidden series")

    response = client.get("/programmes/conversations")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Library Conversations</h1>" in page
    assert f'href="/series/{series.id}/leading-from-any-chair"' in page
    assert "1 session · next on" in page
    assert "In the series" in page and "On its own" in page
    assert "Long over" not in page and "A draft" not in page
    assert "Unpublished series" not in page
    assert "webcal://mingle.example.org/programmes/conversations/calendar.ics" in page
    # The discussions hook lists nothing until book discussions exist.
    assert listings.discussions_of(session, programme) == []
    assert "Book discussions" not in page


def test_a_series_page_lists_its_public_events_in_order_and_offers_them_all(
        client: FlaskClient, series: Series, make_event: Callable[..., Event]) -> None:
    later = make_event(series=series, title="Second session", starts_at=NOW + timedelta(days=9))
    sooner = make_event(series=series, title="First session", starts_at=NOW + timedelta(days=2))
    make_event(series=series, title="Past session", starts_at=NOW - timedelta(days=5))
    make_event(series=series, title="Draft session", status=EventStatus.draft)
    full = make_event(series=series, title="Full, no waitlist", capacity=1, seats_taken=1,
                      waitlist_enabled=False, starts_at=NOW + timedelta(days=12))

    response = client.get(f"/series/{series.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Leading from any chair</h1>" in page and "<em>short</em>" in page
    assert page.index("Past session") < page.index("First session") < page.index(
        "Second session") < page.index("Full, no waitlist")
    assert "Draft session" not in page
    assert "This session has taken place." in page
    assert "Sign up for all 2 sessions" in page
    open_list = page[page.index('id="signup-heading"'):page.index("</ul>", page.index(
        'id="signup-heading"'))]
    assert f"{sooner.title}: a seat" in open_list and f"{later.title}: a seat" in open_list
    assert full.title not in open_list
    assert f'<link rel="canonical" href="https://mingle.example.org/series/{series.id}/' \
           'leading-from-any-chair">' in page
    assert "webcal://mingle.example.org/series/" in page


def test_the_series_target_is_shown_to_its_organisers_only(
        app: Flask, client: FlaskClient, session: Session, programme: Programme,
        series: Series, make_event: Callable[..., Event]) -> None:
    make_event(series=series)
    other = Programme(slug="other", name="Other", published_at=NOW)
    session.add(other)
    session.commit()
    make_organiser(session, email="theirs@example.org", programme=other)
    make_organiser(session, programme=programme)
    target = "the target is 17 people per event"

    assert target not in client.get(f"/series/{series.id}").get_data(as_text=True)
    stranger, organiser = app.test_client(), app.test_client()
    # The test's app context outlives requests: forget the last visitor's CSRF token.
    g.pop("csrf_token", None)
    log_in(stranger, email="theirs@example.org")
    assert target not in stranger.get(f"/series/{series.id}").get_data(as_text=True)
    g.pop("csrf_token", None)
    log_in(organiser)
    assert target in organiser.get(f"/series/{series.id}").get_data(as_text=True)
    # The anonymous copy kept meanwhile still has no target.
    assert target not in client.get(f"/series/{series.id}").get_data(as_text=True)


def test_drafts_and_series_with_nothing_published_answer_as_unknown_ones_do(
        client: FlaskClient, session: Session, programme: Programme, series: Series,
        make_event: Callable[..., Event]) -> None:
    def unknown_twin(path: str) -> str:
        return path.replace(programme.slug, "nope").replace(f"/{series.id}", "/999999")

    def hidden(paths: list[str]) -> None:
        for path in paths:
            response = client.get(path)
            twin = client.get(unknown_twin(path))
            assert response.status_code == twin.status_code == 404, path
            # Nothing tells a draft from an address that never existed.
            assert response.data == twin.data, path

    # Only a draft event: the series has nothing to show yet.
    make_event(series=series, status=EventStatus.draft)
    hidden(paths_of(programme, series)[2:])
    make_event(series=series, title="Now published")
    assert client.get(f"/series/{series.id}").status_code == 200

    listings.withdraw(session, series)
    session.commit()
    hidden(paths_of(programme, series)[2:])
    listings.publish(session, series)
    listings.withdraw(session, programme)
    session.commit()
    # A series of a draft programme is hidden with it.
    hidden(paths_of(programme, series))


def test_home_and_event_pages_link_to_public_programme_and_series_pages_only(
        client: FlaskClient, session: Session, programme: Programme, series: Series,
        make_event: Callable[..., Event]) -> None:
    event = make_event(series=series)
    series_link = f'href="/series/{series.id}/leading-from-any-chair"'
    programme_link = 'href="/programmes/conversations"'
    for path in ("/", f"/events/{event.id}"):
        page = client.get(path).get_data(as_text=True)
        assert series_link in page and programme_link in page, path
    assert f"/series/{series.id}/calendar.ics" in client.get(f"/events/{event.id}").get_data(
        as_text=True)

    listings.withdraw(session, series)
    listings.withdraw(session, programme)
    session.commit()
    for path in ("/", f"/events/{event.id}"):
        page = client.get(path).get_data(as_text=True)
        assert series_link not in page and programme_link not in page, path
        assert "/programmes/conversations/calendar.ics" not in page, path
        assert f"/series/{series.id}/calendar.ics" not in page, path


def test_an_organiser_publishes_and_takes_down_the_public_pages(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    programme = Programme(slug="fresh", name="A fresh programme")
    session.add(programme)
    session.commit()
    series = Series(programme=programme, title="A fresh series")
    session.add(series)
    session.commit()
    make_event(programme=programme, series=series)
    make_organiser(session, programme=programme)
    token = log_in(client)
    anonymous = client.application.test_client()
    assert anonymous.get("/programmes/fresh").status_code == 404

    def switch(path: str, public: str) -> None:
        response = client.post(path, data={"csrf_token": token, "public": public})
        assert response.status_code == 303, response.get_data(as_text=True)

    page = client.get(f"/organise/programmes/{programme.id}").get_data(as_text=True)
    assert "a draft: nobody else sees them yet" in page
    switch(f"/organise/programmes/{programme.id}/public-page", "yes")
    assert anonymous.get("/programmes/fresh").status_code == 200
    assert anonymous.get(f"/series/{series.id}").status_code == 404
    switch(f"/organise/series/{series.id}/public-page", "yes")
    assert anonymous.get(f"/series/{series.id}").status_code == 200
    switch(f"/organise/series/{series.id}/public-page", "no")
    assert anonymous.get(f"/series/{series.id}").status_code == 404
    switch(f"/organise/programmes/{programme.id}/public-page", "no")
    assert anonymous.get("/programmes/fresh").status_code == 404

    refused = client.post(f"/organise/programmes/{programme.id}/public-page",
                          data={"csrf_token": token, "public": "maybe"})
    assert refused.status_code == 422


def test_publishing_twice_keeps_the_first_date(session: Session, programme: Programme) -> None:
    first = programme.published_at
    listings.publish(session, programme, now=NOW + timedelta(days=3))
    assert programme.published_at == first


def test_a_new_programme_and_series_start_as_drafts(
        client: FlaskClient, session: Session, programme: Programme) -> None:
    make_organiser(session, admin=True)
    token = log_in(client)
    response = client.post("/organise/programmes/new", data={
        "csrf_token": token, "name": "Brand new", "slug": "brand-new",
        "timezone": "Pacific/Auckland", "after_hours_start": "17:30",
        "after_hours_end": "21:30", "reminder_offsets": "1440"})
    assert response.status_code == 303
    assert client.application.test_client().get("/programmes/brand-new").status_code == 404
    fresh = session.query(Programme).filter_by(slug="brand-new").one()
    assert fresh.published_at is None
    form = client.get(f"/organise/programmes/{fresh.id}/series/new").get_data(as_text=True)
    response = client.post(f"/organise/programmes/{fresh.id}/series/new",
                           data={"csrf_token": csrf_token_from(form), "title": "New series"})
    assert response.status_code == 303
    assert session.query(Series).filter_by(title="New series").one().published_at is None

