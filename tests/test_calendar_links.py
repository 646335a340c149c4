"""The "Add to calendar" links: Google, Outlook.com, Microsoft 365, .ics and webcal feeds."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from events import calendar_links
from events.changes import cancel_event
from events.models import Event, RoleKind, Series
from tests.browser import axe_violations, chromium_page, require_browser, serve
from tests.conftest import csrf_token_from, make_site
from tests.test_calendar_output import MEETING_URL, SITE, make_event, make_programme

START = datetime(2027, 2, 10, 6, 30, tzinfo=UTC)


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_google_link_is_an_event_template_in_utc_without_the_meeting_link() -> None:
    event = make_event(title="Kōrero, tahi & rua", starts_at=START, description="Bring tea.")
    url = calendar_links.google_url(event, SITE)
    assert url.startswith("https://calendar.google.com/calendar/render?")
    assert query(url) == {
        "action": "TEMPLATE",
        "text": "Kōrero, tahi & rua",
        "dates": "20270210T063000Z/20270210T070000Z",
        "details": "Bring tea.\n\nhttps://mingle.example.org/events/5",
        "location": "Online: the join link is sent to registered participants",
    }
    assert "dates=20270210T063000Z/20270210T070000Z" in url
    assert MEETING_URL not in url and "meet.example" not in url


@pytest.mark.parametrize(("builder", "base"), [
    (lambda e: calendar_links.outlook_url(e, SITE),
     "https://outlook.live.com/calendar/0/action/compose?"),
    (lambda e: calendar_links.outlook_url(e, SITE, calendar_links.MICROSOFT_365_COMPOSE),
     "https://outlook.office.com/calendar/0/action/compose?")])
def test_outlook_links_compose_the_event_with_utc_times(
        builder: Callable[[Event], str], base: str) -> None:
    event = make_event(title="Leading from any chair", starts_at=START)
    url = builder(event)
    assert url.startswith(base)
    fields = query(url)
    assert fields["subject"] == "Leading from any chair"
    assert fields["startdt"] == "2027-02-10T06:30:00Z"
    assert fields["enddt"] == "2027-02-10T07:00:00Z"
    assert fields["body"].endswith("https://mingle.example.org/events/5")
    assert fields["location"].startswith("Online")
    # Outlook shows a "+" literally, so spaces must be %20.
    assert "+" not in url and "Leading%20from%20any%20chair" in url
    assert MEETING_URL not in url


def test_long_descriptions_are_shortened_but_keep_the_event_page() -> None:
    event = make_event(description="word " * 600)
    details = calendar_links.event_details(event, SITE)
    assert len(details) < calendar_links.DETAILS_MAX + 100
    assert details.endswith("\n\nhttps://mingle.example.org/events/5")


@pytest.mark.parametrize(("https_url", "webcal"), [
    ("https://mingle.example.org/calendar.ics", "webcal://mingle.example.org/calendar.ics"),
    ("http://127.0.0.1:5000/programmes/p/calendar.ics",
     "webcal://127.0.0.1:5000/programmes/p/calendar.ics")])
def test_webcal_links_are_the_feed_address_with_the_webcal_scheme(
        https_url: str, webcal: str) -> None:
    assert calendar_links.webcal_url(https_url) == webcal


def test_feed_links_come_from_the_base_url_for_programme_series_and_everything() -> None:
    site = make_site(base_url="https://events.example.net/mingle", sender_email="x@example.net",
                     secret_key="k")
    heroes = make_programme("Heroes, Mingle")
    event = make_event(programme=heroes,
                       series=Series(id=4, title="Leaders", programme=heroes, published_at=START))
    links = calendar_links.links_for(event, site)
    assert [(f.label, f.webcal_url) for f in links.feeds] == [
        ("Heroes, Mingle", "webcal://events.example.net/mingle/programmes/conversations/calendar.ics"),
        ("Heroes, Mingle: Leaders", "webcal://events.example.net/mingle/series/4/calendar.ics"),
        ("All Mingle events", "webcal://events.example.net/mingle/calendar.ics")]
    assert links.feeds[0].https_url == \
        "https://events.example.net/mingle/programmes/conversations/calendar.ics"
    assert query(links.feeds[0].google_url) == {"cid": links.feeds[0].webcal_url}
    assert links.download == "https://events.example.net/mingle/events/5.ics"


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def test_event_page_offers_every_way_to_add_and_subscribe(
        app_factory: Callable[..., Flask], session: Session,
        make_event: Callable[..., Event]) -> None:
    event = make_event()
    client = app_factory(BASE_URL="https://events.example.net").test_client()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    links = hrefs(page)
    assert any(h.startswith("https://calendar.google.com/calendar/render?action=TEMPLATE")
               for h in links)
    assert any(h.startswith("https://outlook.live.com/calendar/0/action/compose?")
               for h in links)
    assert any(h.startswith("https://outlook.office.com/calendar/0/action/compose?")
               for h in links)
    assert f"https://events.example.net/events/{event.id}.ics" in links
    assert "webcal://events.example.net/programmes/conversations/calendar.ics" in links
    assert "webcal://events.example.net/calendar.ics" in links
    assert event.meeting_url not in page


def test_a_cancelled_event_offers_feeds_but_no_adding(
        client, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event()
    cancel_event(session, event.id, "The guest is unwell")
    session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "calendar.google.com/calendar/render?action=TEMPLATE" not in page
    assert "webcal://" in page


def test_the_confirmation_page_says_the_invitation_already_adds_the_event(
        app_factory: Callable[..., Flask], make_event: Callable[..., Event]) -> None:
    event = make_event()
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    token = csrf_token_from(client.get(f"/events/{event.id}").get_data(as_text=True))
    page = client.post(f"/events/{event.id}/rsvp", data={
        "csrf_token": token, "name": "Ada", "email": "ada@example.org"}).get_data(as_text=True)
    assert "You have a seat" in page
    assert "Your invitation e-mail already adds this event" in page
    assert "webcal://" in page and "outlook.office.com" in page
    assert event.meeting_url not in page


@pytest.mark.browser
def test_event_and_confirmation_pages_with_calendar_links_pass_axe(
        app: Flask, session: Session, make_event: Callable[..., Event], programme,
        add_role) -> None:
    require_browser()
    series = Series(programme=programme, title="Leaders, in every chair",
                    published_at=datetime.now(UTC))
    session.add(series)
    session.commit()
    event = make_event(series=series, starts_at=datetime.now(UTC).replace(microsecond=0)
                       + timedelta(days=3))
    add_role(event, RoleKind.guest, "Aroha Ngata", "aroha@example.org")
    cancelled = make_event(title="Called off")
    cancel_event(session, cancelled.id, "Unwell")
    session.commit()
    with serve(app) as base_url, chromium_page() as page:
        page.goto(f"{base_url}/events/{event.id}")
        section = page.get_by_role("region", name="Add to your calendar")
        for name in ("Google Calendar", "Outlook.com", "Microsoft 365 (work or school Outlook)",
                     "Apple Calendar and others (.ics file)",
                     "Library Conversations: Leaders, in every chair in Google Calendar"):
            assert section.get_by_role("link", name=name, exact=True).count() == 1, name
        assert axe_violations(page) == []

        page.get_by_label("Your name").fill("Ada Lovelace")
        page.get_by_label("Your e-mail").fill("ada@example.org")
        page.get_by_role("button", name="RSVP").click()
        assert page.get_by_role("heading", level=1).inner_text() == "You have a seat"
        assert axe_violations(page) == []

        page.goto(f"{base_url}/events/{cancelled.id}")
        assert axe_violations(page) == []


def test_the_domains_links_are_the_url_contracts_paths_under_the_base_url() -> None:
    links = make_site(base_url="https://events.example.net/mingle").links
    base = "https://events.example.net/mingle"
    assert [links.event_page(3), links.event_download(3), links.join("7-ab"),
            links.my_places("tok"), links.programme_feed("heroes"), links.series_feed(4),
            links.all_events_feed(), links.password_reset("r"),
            links.co_organiser_invitation("i")] == [
        f"{base}/events/3", f"{base}/events/3.ics", f"{base}/join/7-ab", f"{base}/me/tok",
        f"{base}/programmes/heroes/calendar.ics", f"{base}/series/4/calendar.ics",
        f"{base}/calendar.ics", f"{base}/login/reset/r", f"{base}/invitations/i"]
