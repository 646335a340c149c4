"""A participant's journey in a real browser: home, event, RSVP, confirmation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from events.models import Event, InvitationStatus, Registration, RegistrationStatus, RoleKind
from tests.browser import axe_violations, chromium_page, require_browser, serve

pytestmark = pytest.mark.browser


def test_participant_finds_an_event_rsvps_and_is_confirmed_accessibly(
        app: Flask, session: Session, make_event: Callable[..., Event], add_role) -> None:
    require_browser()
    event = make_event(title="Changing a library from the front desk", capacity=2,
                       starts_at=datetime.now(UTC).replace(second=0, microsecond=0)
                       + timedelta(days=5),
                       description="A conversation with **Aroha**.")
    add_role(event, RoleKind.guest, "Aroha Ngata", "aroha@example.org", InvitationStatus.accepted)
    full = make_event(title="A full small group", capacity=1)
    session.add(Registration(event=full, person=event.roles[0].person,
                             status=RegistrationStatus.confirmed))
    full.seats_taken = 1
    session.commit()

    with serve(app) as base_url, chromium_page() as page:
        page.goto(base_url + "/")
        assert page.get_by_role("heading", level=1).inner_text() == "Upcoming events"
        # The reader's own zone (Berlin here) is added beside the programme's.
        assert "your time" in page.locator(".yours").first.inner_text()
        assert axe_violations(page) == []

        page.get_by_role("link", name="Changing a library from the front desk").click()
        page.wait_for_url(f"**/events/{event.id}")
        assert "Aroha Ngata" in page.inner_text("main")
        assert axe_violations(page) == []

        page.get_by_label("Your name").fill("Ada Lovelace")
        page.get_by_label("Your e-mail").fill("not-an-address")
        page.get_by_role("button", name="RSVP").click()
        assert "That e-mail address is not valid" in page.inner_text("main")
        assert axe_violations(page) == []

        page.get_by_label("Your e-mail").fill("ada@example.org")
        page.get_by_role("button", name="RSVP").click()
        assert page.get_by_role("heading", level=1).inner_text() == "You have a seat"
        assert axe_violations(page) == []

        page.goto(f"{base_url}/events/{full.id}")
        page.get_by_label("Your name").fill("Bo Waiting")
        page.get_by_label("Your e-mail").fill("bo@example.org")
        page.get_by_role("button", name="Join the waitlist").click()
        assert page.get_by_role("heading", level=1).inner_text() == "You are on the waitlist"
        assert "number 1" in page.inner_text("main")
        assert axe_violations(page) == []

    session.expire_all()
    ada = session.scalars(select(Registration).where(Registration.event_id == event.id)).one()
    assert ada.person.email == "ada@example.org"
    assert ada.status == RegistrationStatus.confirmed
