"""In Chromium, on a desktop and on a 390-pixel phone: the event page puts the RSVP form
right after the time and place, the confirmed and waitlisted pages say what they should,
a closed event offers no form, and every page has no axe-core violations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from events import booking
from events.changes import cancel_event
from events.models import Event, EventKind, InvitationStatus, RoleKind, Series
from tests.browser import axe_violations, chromium_page, require_browser, serve

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, selector
    return found


def rsvp(page: Any, name: str, email: str, button: str) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your e-mail").fill(email)
    page.get_by_role("button", name=button, exact=True).click()


def test_event_and_confirmation_pages_on_desktop_and_phone(
        app: Flask, session: Session, make_event: Callable[..., Event], programme,
        add_role) -> None:
    require_browser()
    series = Series(programme=programme, title="Leaders in every chair",
                    published_at=datetime.now(UTC))
    session.add(series)
    session.commit()
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=4)
    event = make_event(series=series, starts_at=start, kind=EventKind.showcase,
                       title="The map room, digitised", unit_name="Map Library",
                       description="A *long* description.\n\n" + "More words. " * 120,
                       prompt_work="We **scan** maps.", prompt_challenges="- rights\n- storage",
                       prompt_direction="A shared platform.")
    add_role(event, RoleKind.presenter, "Aroha Ngata", "aroha@example.org",
             InvitationStatus.accepted)
    full = make_event(title="A full small group", capacity=1, starts_at=start)
    booking.register(session, full.id, "First", "first@example.org")
    past = make_event(title="Last month's talk",
                      starts_at=datetime.now(UTC) - timedelta(days=30))
    called_off = make_event(title="Called off", starts_at=start)
    cancel_event(session, called_off.id, "The presenter is unwell.")
    session.commit()

    with serve(app) as base_url, chromium_page() as page:
        for size, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            page.goto(f"{base_url}/events/{event.id}")
            assert axe_violations(page) == [], size
            # Time and place, then the form, then everything else (description, calendar).
            when, form = box(page, "dl.when"), box(page, "section.rsvp")
            description = box(page, ".description")
            calendar = box(page, "section.add-to-calendar")
            assert when["y"] + when["height"] <= form["y"] < description["y"] < calendar["y"]
            if size == "phone":
                # On a phone the form is within the first two screens, not after the
                # description and calendar links.
                assert form["y"] < 2 * viewport["height"], form
                assert page.evaluate("document.documentElement.scrollWidth") <= 390

            rsvp(page, "Ada Lovelace", f"ada-{size}@example.org", "RSVP")
            assert page.get_by_role("heading", level=1).inner_text() == "You have a seat"
            assert page.get_by_role("region", name="Add to your calendar").count() == 1
            assert axe_violations(page) == [], size

            page.goto(f"{base_url}/events/{full.id}")
            assert "Full: join the waitlist" in page.inner_text("main")
            assert axe_violations(page) == [], size
            rsvp(page, "Bo Waiting", f"bo-{size}@example.org", "Join the waitlist")
            assert page.get_by_role("heading", level=1).inner_text() == "You are on the waitlist"
            main = page.inner_text("main")
            assert "number 1" in main or "number 2" in main
            assert "What happens next" in main
            assert page.get_by_role("region", name="Add to your calendar").count() == 0
            assert axe_violations(page) == [], size

            # The same e-mail again: nothing sent, and a way to get the link.
            page.goto(f"{base_url}/events/{full.id}")
            rsvp(page, "Bo Waiting", f"bo-{size}@example.org", "Join the waitlist")
            assert "we have not sent another e-mail" in page.inner_text("main")
            assert axe_violations(page) == [], size
            page.get_by_role("button", name="E-mail me the link to my places").click()
            assert page.get_by_role("heading", level=1).inner_text() == "Check your e-mail"

            for closed, why in ((past, "This event has ended."),
                                (called_off, "Cancelled: The presenter is unwell.")):
                page.goto(f"{base_url}/events/{closed.id}")
                assert why in page.inner_text("main")
                assert page.get_by_role("button").count() == 0
                assert axe_violations(page) == [], size

            page.goto(f"{base_url}/help")
            assert axe_violations(page) == [], size
