"""Planning pages in a real browser, on a desktop and a 390-pixel phone, with axe-core on
each: the create form per kind (kind first, then only its fields), people on the form, the
platform's limit and the large-group guidance, duplicating and repeating an event."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from events.models import Event, EventStatus, Programme
from events.pending_invitations import PendingInvitation
from tests.browser import axe_violations, chromium_page, require_browser, serve
from tests.test_auth import PASSWORD, make_organiser

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def next_tuesday(weeks: int = 0) -> str:
    day = datetime.now(ZoneInfo("Pacific/Auckland")).date() + timedelta(days=8 + 7 * weeks)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return datetime.combine(day, time(19, 30)).strftime("%Y-%m-%dT%H:%M")


def scanned(page: Any, found: list[str], where: str) -> None:
    found += [f"{where} {page.url}: {violation}" for violation in axe_violations(page)]


def fits(page: Any, width: int) -> None:
    """The page needs no sideways scrolling at this width."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def plan_a_season(page: Any, base_url: str, programme: Programme, label: str,
                  found: list[str], width: int) -> None:
    new = f"{base_url}/organise/programmes/{programme.id}/events/new"
    # A group meeting: the kind first, then its own fields and eight seats.
    page.goto(new)
    scanned(page, found, label)
    page.get_by_role("link", name="Group meeting").click()
    scanned(page, found, label)
    assert page.locator("#capacity").input_value() == "8"
    fits(page, width)
    assert page.locator("#prompt_work").count() == 0 and page.locator("#guest_name").count() == 0
    page.locator("#title").fill(f"Cataloguing dilemmas {label}")
    page.locator("#starts_at").fill(next_tuesday())
    page.get_by_label("Facilitator's name").fill("Kate Wilson")
    page.get_by_label("Facilitator's e-mail").fill(f"kate.{label}@example.org")
    page.get_by_role("button", name="Save draft").first.click()
    assert "saved" in page.inner_text("main")
    assert "Kate Wilson" in page.inner_text("main")
    assert "breakout rooms" not in page.inner_text("main")
    scanned(page, found, label)

    # A showcase shows its prompts; a conversation for 200 is flagged and guided.
    page.goto(f"{new}?kind=showcase")
    assert page.locator("#prompt_work").is_visible()
    scanned(page, found, label)
    page.goto(f"{new}?kind=conversation")
    page.locator("#title").fill(f"Leading from any chair {label}")
    page.locator("#starts_at").fill(next_tuesday())
    page.get_by_label("Guest's name").fill("Aroha Ngata")
    page.get_by_label("Guest's e-mail").fill(f"aroha.{label}@example.org")
    page.get_by_label("Send their invitations when I save").uncheck()
    page.get_by_role("button", name="Save draft").first.click()
    main = page.inner_text("main")
    assert "More seats than your meeting platform holds" in main
    assert "breakout rooms" in main and "Invitations not sent yet" in main
    scanned(page, found, label)
    fits(page, width)

    # Duplicate it on another date: the guest waits, unsent.
    page.get_by_role("link", name="Duplicate this event").click()
    scanned(page, found, label)
    fits(page, width)
    page.locator("#starts_at").fill(next_tuesday(weeks=3))
    page.get_by_role("button", name="Create the copy").click()
    assert "Its invitation waits for you to send it" in page.inner_text("main")
    scanned(page, found, label)

    # Repeat it weekly: a refusal first, then three drafts in one step.
    page.get_by_label("Weeks").fill("0")
    page.get_by_role("button", name="Repeat weekly").click()
    assert "from 1 to 26" in page.inner_text("main")
    scanned(page, found, label)
    page.get_by_label("Weeks").fill("3")
    page.get_by_role("button", name="Repeat weekly").click()
    assert "3 weekly drafts" in page.inner_text("main")
    scanned(page, found, label)


def test_planning_pages_work_and_are_accessible_on_a_desktop_and_a_phone(
        app: Flask, session: Session, programme: Programme) -> None:
    require_browser()
    programme.platform_participant_limit = 100
    session.commit()
    make_organiser(session, programme=programme)
    found: list[str] = []

    with serve(app) as base_url, chromium_page() as page:
        page.goto(f"{base_url}/login")
        page.get_by_label("E-mail").fill("ana@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            plan_a_season(page, base_url, programme, label, found, size["width"])

    assert found == []
    session.expire_all()
    events = session.scalars(select(Event)).all()
    # Per viewport: a group meeting, a conversation, its copy and three weekly drafts.
    assert len(events) == 12 and {e.status for e in events} == {EventStatus.draft}
    assert len(session.scalars(select(PendingInvitation)).all()) == 2 * (1 + 1 + 3)
