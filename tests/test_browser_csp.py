"""The Content-Security-Policy in a real browser: the demo's key pages load with it on,
report no violation, and their scripts still run, while an injected inline script does not."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import demo, feedback, reminders
from events.models import Event, EventStatus, OutboxMessage, Series
from tests.browser import chromium_page, require_browser, serve
from webapp.site import current_site

pytestmark = pytest.mark.browser

# Playwright's init scripts are not subject to the page's policy: this one only listens.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""
INJECT = """() => {
  const script = document.createElement('script');
  script.textContent = 'window.__injected = true';
  document.body.appendChild(script);
  return window.__injected === true;
}"""


def _injected_script_is_refused(page: Any) -> None:
    assert page.evaluate(INJECT) is False
    page.wait_for_function("() => window.__violations.length > 0")
    assert [v.split()[0] for v in page.evaluate("() => window.__violations.splice(0)")] == [
        "script-src-elem"]


def _visit(page: Any, url: str, problems: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, url
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
    page.wait_for_load_state("load")
    # Reports are queued as tasks: give those of the page's own content time to arrive.
    page.wait_for_timeout(200)
    problems += [f"{url}: {v}" for v in page.evaluate("() => window.__violations.splice(0)")]


def test_key_pages_run_their_scripts_under_the_policy_and_refuse_injected_ones(
        app: Flask, session: Session) -> None:
    require_browser()
    from playwright.sync_api import expect

    demo.seed_demo(session, site=current_site())
    session.commit()
    reminders.run_due(session, site=current_site())
    session.commit()
    # The request just queued for the evening that has just ended (the past's were sent).
    asked = session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "feedback_request").order_by(OutboxMessage.id.desc())).first()
    assert asked is not None and asked.registration_id is not None
    form = feedback.token(current_site(), asked.registration_id)
    upcoming = session.scalars(select(Event).where(Event.status == EventStatus.published)
                               .order_by(Event.starts_at.desc())).first()
    assert upcoming is not None
    finished = session.scalars(select(Series).where(Series.title == "Working out loud")).one()
    slug = "library-conversations"
    problems: list[str] = []
    console: list[str] = []

    with serve(app) as base_url, chromium_page() as page:
        page.add_init_script(LISTEN)
        page.on("console", lambda message: console.append(message.text))

        _visit(page, f"{base_url}/events/{upcoming.id}", problems)
        # The time script ran: each time shows the reader's own zone beside it.
        expect(page.locator("span.yours").first).to_contain_text("your time")
        _injected_script_is_refused(page)

        _visit(page, f"{base_url}/programmes/{slug}/ideas", problems)
        _visit(page, f"{base_url}/programmes/{slug}/ideas/new", problems)
        page.get_by_label("Title").fill("Lunchtime tool tours")
        # The similar-ideas script ran (it fetches as the person types).
        expect(page.locator("#similar-live")).to_contain_text("Lunchtime tool tours, 20 minutes")

        _visit(page, f"{base_url}/feedback/{form}", problems)
        expect(page.locator("form.feedback")).to_be_visible()

        _visit(page, f"{base_url}/login", problems)
        page.get_by_label("E-mail").fill(demo.DEMO_ORGANISER_EMAIL)
        page.get_by_label("Password").fill(demo.DEMO_ORGANISER_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base_url}/organise/")
        for path in ("/organise/", f"/organise/events/{upcoming.id}",
                     f"/organise/series/{finished.id}/dashboard",
                     f"/organise/series/{finished.id}/report"):
            _visit(page, base_url + path, problems)
        _injected_script_is_refused(page)

    # Nothing of the pages' own was refused; the console reports only the two injections.
    assert problems == []
    refused = [text for text in console if "Content Security Policy" in text]
    assert len(refused) == 2, refused
