"""The organisers' main journey in a real browser, with an accessibility scan of each page.

Log in → create a series → create an event → publish → see it on the home page →
RSVP as a participant → mark attended → dashboard. Every organiser page on the
way is scanned with axe-core and must have no violations.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from events.models import Event, Programme
from tests.browser import inject_axe
from tests.conftest import ROOT
from tests.live_server import gunicorn_server
from tests.test_auth import PASSWORD, make_organiser

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def axe_violations(page: Any) -> list[str]:
    """Run axe-core on the current page and describe each violation."""
    inject_axe(page)
    result = page.evaluate("async () => await axe.run()")
    assert result["passes"], "axe-core checked nothing"
    return [f"{page.url}: {item['id']}: {item['help']} "
            f"{[node['target'] for node in item['nodes']]}" for item in result["violations"]]


def next_tuesday_evening() -> datetime:
    day = datetime.now(ZoneInfo("Pacific/Auckland")).date() + timedelta(days=8)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return datetime.combine(day, time(19, 30))


@pytest.mark.skipif(shutil.which("chromium") is None or not AXE.exists(),
                    reason="needs Debian's chromium and node_modules/axe-core")
def test_an_organiser_plans_publishes_and_records_attendance_in_the_browser(
        app: Flask, session: Session, database_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    programme = Programme(slug="conversations", name="Library Conversations",
                          timezone="Pacific/Auckland", sender_name="Conversations team")
    session.add(programme)
    session.commit()
    make_organiser(session, email="kate@example.org", name="Kate Wilson", programme=programme)
    found: list[str] = []
    starts = next_tuesday_evening()

    with gunicorn_server(database_url, tmp_path) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(15000)

            page.goto(f"{base_url}/organise/")
            expect(page).to_have_url(re.compile(r"/login\?next="))
            found += axe_violations(page)
            page.get_by_label("E-mail").fill("kate@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name="Your programmes")).to_be_visible()
            found += axe_violations(page)

            page.get_by_role("link", name="Library Conversations").click()
            found += axe_violations(page)
            page.get_by_role("link", name="New series").click()
            found += axe_violations(page)
            page.get_by_label("Title").fill("Leading from any chair")
            page.get_by_label("Target attendance per event").fill("3")
            page.get_by_role("button", name="Save series").click()
            expect(page.get_by_text("Series “Leading from any chair” created.")).to_be_visible()

            page.get_by_role("link", name="Add event to Leading from any chair").click()
            found += axe_violations(page)
            # A new event's kind comes first: it decides the form's fields.
            page.get_by_role("link", name="Conversation", exact=True).click()
            found += axe_violations(page)
            page.get_by_label("Title").fill("Changing a library from the front desk")
            page.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT%H:%M"))
            page.get_by_label("Description (Markdown)").fill("A conversation with **Aroha**.")
            page.get_by_role("button", name="Propose a fresh Jitsi Meet room").click()
            expect(page.get_by_label("Meeting link")).to_have_value(
                re.compile(r"^https://meet\.jit\.si/changing-a-library-from-the-front-desk-"))
            page.get_by_role("button", name="Preview description").click()
            expect(page.locator(".preview strong")).to_have_text("Aroha")
            found += axe_violations(page)
            page.get_by_role("button", name="Save draft").first.click()
            expect(page.get_by_role("heading", name="Changing a library from the front desk"))\
                .to_be_visible()
            found += axe_violations(page)

            page.get_by_label("Part", exact=True).select_option("guest")
            page.get_by_label("Name", exact=True).fill("Aroha Ngata")
            page.get_by_label("E-mail", exact=True).fill("aroha@example.org")
            page.get_by_label("They have already said yes: record it on their behalf").check()
            page.get_by_role("button", name="Send invitation").click()
            expect(page.get_by_text("Aroha Ngata is guest, accepted on their behalf;")
                   ).to_be_visible()
            page.get_by_role("button", name="Publish").click()
            expect(page.get_by_text("The event is now published.")).to_be_visible()
            found += axe_violations(page)
            event_path = page.url.removeprefix(base_url)

            participant = browser.new_page()
            participant.goto(f"{base_url}/")
            participant.get_by_role("link", name="Changing a library from the front desk").click()
            expect(participant.get_by_text("With Aroha Ngata.")).to_be_visible()
            participant.get_by_label("Your name").fill("Pat Reader")
            participant.get_by_label("Your e-mail").fill("pat@example.org")
            participant.get_by_role("button", name="RSVP").click()
            expect(participant.get_by_role("heading")).not_to_have_count(0)
            participant.close()

            # The evening comes: attendance can be taken once the event has begun.
            event = session.scalars(select(Event).where(
                Event.title == "Changing a library from the front desk")).one()
            event.starts_at = datetime.now(UTC) - timedelta(minutes=5)
            session.commit()
            page.goto(f"{base_url}{event_path}/roster")
            expect(page.get_by_text("1 confirmed · 0 attended")).to_be_visible()
            found += axe_violations(page)
            page.get_by_role("button", name=re.compile(r"^Attended\s*: Pat Reader$")).click()
            expect(page.get_by_text("1 marked as attended.")).to_be_visible()
            expect(page.get_by_text("0 confirmed · 1 attended")).to_be_visible()
            found += axe_violations(page)

            page.get_by_role("link", name="Library Conversations").click()
            page.get_by_role("link", name="Dashboard of Leading from any chair").click()
            expect(page.get_by_text("1 at the one event held against a target of 3").first)\
                .to_be_visible()
            expect(page.get_by_role("img", name=re.compile("Target, RSVPs and attended")))\
                .to_be_visible()
            found += axe_violations(page)
        finally:
            browser.close()
    assert found == []
