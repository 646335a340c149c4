"""The roster of a big event in a real browser, at desktop width and on a 390-pixel phone:
the summary, the waitlist near the top, a list by status, a search, everyone in the list
selected at once and marked after a confirmation page. Every page is scanned with
axe-core and must have no violations."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from events import booking
from events.models import Event, Programme
from tests.browser import axe_violations, chromium_page, require_browser
from tests.live_server import gunicorn_server
from tests.test_auth import PASSWORD, make_organiser

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def base_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_browser()
    with gunicorn_server(database_url, tmp_path_factory.mktemp("browser-roster")) as url:
        yield url


def held_webinar(session: Session, make_event: Callable[..., Event]) -> Event:
    """A webinar that began half an hour ago: 120 seats, 140 RSVPs, two gave theirs back."""
    starts = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    event = make_event(title="Open access in practice", starts_at=starts, capacity=120)
    before = starts - timedelta(days=3)
    places = [booking.register(session, event.id, f"Reader {n:03}",
                               f"reader{n:03}@example.org", now=before).registration
              for n in range(1, 141)]
    for place in places[:2]:
        booking.cancel(session, place.id, now=before + timedelta(hours=1))
    session.commit()
    return event


def log_in(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill("kate@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE],
                         ids=["desktop", "phone"])
def test_an_organiser_finds_people_and_marks_a_whole_list_after_confirming(
        base_url: str, session: Session, programme: Programme,
        make_event: Callable[..., Event], viewport: dict[str, int]) -> None:
    from playwright.sync_api import expect

    make_organiser(session, email="kate@example.org", name="Kate Wilson", programme=programme)
    event = held_webinar(session, make_event)
    with chromium_page() as page:
        page.set_viewport_size(viewport)
        log_in(page, base_url)
        page.goto(f"{base_url}/organise/events/{event.id}/roster")
        summary = page.locator(".roster-summary")
        expect(summary).to_have_text(
            "120 confirmed · 0 attended · 0 no-show · 18 waitlisted · 2 cancelled")
        # The waitlist comes before the long list, with a way to all of it.
        waitlist = page.get_by_role("region", name="Waitlist (18 waiting)")
        expect(waitlist.get_by_role("row")).to_have_count(11)  # a header and the first ten
        expect(page.get_by_role("link", name="See all 18 on the waitlist")).to_be_visible()
        expect(page.get_by_text("Page 1 of 2")).to_be_visible()
        assert axe_violations(page) == []
        assert fits_the_screen(page)

        lists = page.get_by_role("navigation", name="Roster lists")
        lists.get_by_role("link", name=re.compile("^Not yet marked")).click()
        expect(lists.get_by_role("link", name=re.compile("^Not yet marked"))).to_have_attribute(
            "aria-current", "page")
        page.get_by_label("Search by name or e-mail").fill("reader01")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", name="Not yet marked: “reader01” (10)")).to_be_visible()
        assert axe_violations(page) == []

        page.get_by_label(re.compile("^All 10 in “Not yet marked”")).check()
        page.get_by_role("button", name="Mark attended").click()
        expect(page.get_by_role("heading", name="Mark 10 people as attended?")).to_be_visible()
        expect(page.get_by_text("Nobody gets an e-mail about it")).to_be_visible()
        assert axe_violations(page) == []
        assert fits_the_screen(page)
        page.get_by_role("button", name="Mark 10 people as attended").click()

        expect(page.get_by_text("10 marked as attended.")).to_be_visible()
        expect(summary).to_have_text(
            "110 confirmed · 10 attended · 0 no-show · 18 waitlisted · 2 cancelled")
        # Back on the same list and search, now empty of unmarked people.
        expect(page.get_by_text("Nobody in this list matches “reader01”.")).to_be_visible()
        assert axe_violations(page) == []


def test_a_large_message_is_previewed_and_confirmed_and_a_cancellation_asked_on_a_phone(
        base_url: str, session: Session, programme: Programme,
        make_event: Callable[..., Event]) -> None:
    from playwright.sync_api import expect

    make_organiser(session, email="kate@example.org", name="Kate Wilson", programme=programme)
    event = make_event(title="Copyright questions, answered", capacity=8)
    for n in range(1, 11):
        booking.register(session, event.id, f"Reader {n:03}", f"reader{n:03}@example.org")
    session.commit()
    with chromium_page() as page:
        page.set_viewport_size(PHONE)
        log_in(page, base_url)
        page.goto(f"{base_url}/organise/events/{event.id}/announcements")
        page.get_by_label("Subject").fill("Bring a question")
        page.get_by_label("Message").fill("We start on time; the chat opens ten minutes early.")
        page.get_by_role("button", name="Preview").click()
        preview = page.get_by_role("region", name="Preview")
        expect(preview.get_by_text("Kia ora Reader 001,")).to_be_visible()
        assert axe_violations(page) == []
        assert fits_the_screen(page)
        page.get_by_label(re.compile("Start with “Kia ora”")).uncheck()
        page.get_by_role("button", name="Send message").click()
        expect(page.get_by_role("heading", name="Send this message to 8 people?")).to_be_visible()
        expect(page.get_by_text("Kia ora")).to_have_count(0)
        assert axe_violations(page) == []
        assert fits_the_screen(page)
        page.get_by_role("button", name="Send to 8 people").click()
        expect(page.get_by_text("Your message is on its way to 8 people.")).to_be_visible()

        page.goto(f"{base_url}/organise/events/{event.id}")
        page.get_by_role("link", name="Cancel this event…").click()
        expect(page.get_by_text("10 people will get an e-mail saying the event is cancelled")
               ).to_be_visible()
        assert axe_violations(page) == []
        assert fits_the_screen(page)
        page.get_by_label("Reason participants will read").fill("Our guest is unwell.")
        page.get_by_role("button", name="Cancel the event and tell 10 people").click()
        expect(page.get_by_text("The event is cancelled; participants are being told.")
               ).to_be_visible()
