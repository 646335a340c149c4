"""Programme and series pages in a real browser: from a programme to a series, signing up for
all its sessions (on a desktop and a 390-pixel phone), and an organiser adding a resource.
Every page on the way is scanned with axe-core and must have no violations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import resources
from events.models import (
    Event,
    EventKind,
    EventStatus,
    Person,
    Programme,
    Registration,
    RegistrationStatus,
    Series,
)
from events.resources import ResourcePlan
from tests.browser import axe_violations, chromium_page, require_browser, serve
from tests.conftest import _empty_tables, app_config
from tests.test_auth import PASSWORD, make_organiser
from webapp import create_app
from webapp.extensions import db

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Site:
    app: Flask
    url: str
    series_id: int
    event_id: int


def seed(session: Session) -> tuple[int, int]:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    programme = Programme(slug="conversations", name="Library Conversations",
                          timezone="Pacific/Auckland", published_at=now,
                          description="Free, after-hours conversations for library staff.")
    series = Series(programme=programme, title="Leading from any chair", published_at=now,
                    theme="Leadership without a title", target_attendance=3)
    session.add_all([programme, series])

    def event(title: str, days: int, **fields: object) -> Event:
        made = Event(programme=programme, series=series, kind=EventKind.conversation,
                     title=title, starts_at=now + timedelta(days=days), duration_minutes=30,
                     timezone="Pacific/Auckland", status=EventStatus.published,
                     meeting_url="https://meet.example.net/room", **fields)
        session.add(made)
        return made

    opening = event("Why lead without a title?", -7)
    first = event("Changing a library from the front desk", 3)
    small = event("Data stories for small teams", 10, capacity=1, seats_taken=1)
    event("Mentoring across institutions", 17)
    session.add(Registration(event=small, person=Person(name="Early", email="early@example.org"),
                             status=RegistrationStatus.confirmed))
    session.flush()
    for target, plan in (
            (opening, ResourcePlan(title="Recording of the conversation", kind="recording",
                                   timing="after", url="https://example.org/recording")),
            (opening, ResourcePlan(title="Slides for people who came", kind="slides",
                                   timing="after", audience="registered",
                                   url="https://example.org/slides")),
            (first, ResourcePlan(title="Three front-desk changes that stuck",
                                 url="https://example.org/reading",
                                 description="A **ten-minute** read."))):
        resources.add_resource(session, target, plan)
    make_organiser(session, email="kate@example.org", name="Kate Wilson", programme=programme)
    session.commit()
    return series.id, first.id


@pytest.fixture(scope="module")
def site(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One server for the module's journeys, on data of its own."""
    require_browser()
    app = create_app(app_config(database_url, Path(tmp_path_factory.mktemp("pathways"))))
    with app.app_context():
        _empty_tables()
        series_id, event_id = seed(db.session)
    with serve(app) as url:
        yield Site(app, url, series_id, event_id)
    with app.app_context():
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


def fits_the_screen(page: object) -> bool:
    return page.evaluate(  # type: ignore[attr-defined,no-any-return]
        "document.documentElement.scrollWidth <= window.innerWidth")


def test_a_participant_goes_from_programme_to_series_and_signs_up_for_all(site: Site) -> None:
    from playwright.sync_api import expect

    with chromium_page() as page:
        page.goto(f"{site.url}/programmes/conversations")
        expect(page.get_by_role("heading", level=1)).to_have_text("Library Conversations")
        assert axe_violations(page) == []

        page.get_by_role("region", name="Series").get_by_role(
            "link", name="Leading from any chair").click()
        page.wait_for_url(re.compile(rf"/series/{site.series_id}/leading-from-any-chair$"))
        expect(page.get_by_role("link", name="Recording of the conversation")).to_be_visible()
        expect(page.get_by_text("Slides for people who came")).to_have_count(0)
        expect(page.get_by_text("the target is")).to_have_count(0)
        assert axe_violations(page) == []

        page.set_viewport_size(PHONE)
        button = page.get_by_role("button", name="Sign up for all 3 sessions")
        expect(button).to_be_visible()
        assert fits_the_screen(page)
        assert axe_violations(page) == []

        page.get_by_label("Your name").fill("Ada Lovelace")
        page.get_by_label("Your e-mail").fill("ada@example.org")
        button.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "You are signed up for Leading from any chair")
        expect(page.get_by_text("You are number 1 on the waitlist.")).to_be_visible()
        expect(page.get_by_text("You have a seat.")).to_have_count(2)
        assert fits_the_screen(page)
        assert axe_violations(page) == []

    with site.app.app_context():
        statuses = db.session.scalars(
            select(Registration.status).join(Person).where(Person.email == "ada@example.org")
        ).all()
        db.session.remove()
    assert sorted(statuses) == [RegistrationStatus.confirmed, RegistrationStatus.confirmed,
                                RegistrationStatus.waitlisted]


def test_an_organiser_adds_a_resource_that_the_series_page_then_lists(site: Site) -> None:
    from playwright.sync_api import expect

    with chromium_page() as page:
        page.goto(f"{site.url}/login")
        page.get_by_label("E-mail").fill("kate@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Your programmes")).to_be_visible()

        page.goto(f"{site.url}/organise/events/{site.event_id}")
        section = page.get_by_role("region", name="Resources along the way")
        expect(section.get_by_role("link", name="Three front-desk changes that stuck",
                                   exact=True)).to_be_visible()
        assert axe_violations(page) == []
        section.get_by_label("Title").fill("Pre-reading pack")
        section.get_by_label("Kind").select_option("reading")
        section.get_by_label("When").select_option("before")
        section.get_by_label("Who sees it").select_option("registered")
        section.get_by_label("Link").fill("ftp://example.org/pack")
        section.get_by_role("button", name="Add resource").click()
        expect(page.get_by_text("must be an http:// or https:// address")).to_be_visible()
        assert axe_violations(page) == []

        section.get_by_label("Link").fill("https://example.org/pack")
        section.get_by_role("button", name="Add resource").click()
        expect(page.get_by_text("“Pre-reading pack” added.")).to_be_visible()
        section.get_by_role("button", name="Move up Pre-reading pack").click()
        expect(page.get_by_text("“Pre-reading pack” moved.")).to_be_visible()
        rows = section.locator("tbody tr")
        expect(rows.first).to_contain_text("Pre-reading pack")
        assert axe_violations(page) == []

        # The organiser sees the series' target; the resource is for people with a place.
        page.goto(f"{site.url}/series/{site.series_id}")
        expect(page.get_by_text("the target is 3 people per event")).to_be_visible()
        expect(page.get_by_text("Pre-reading pack")).to_have_count(0)
        assert axe_violations(page) == []
