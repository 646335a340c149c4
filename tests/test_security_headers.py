"""Security headers on every kind of answer: a strict Content-Security-Policy, no framing,
no sniffing, a referrer policy (none at all where the address holds a secret, which is
never stored either) and HSTS over HTTPS; and page templates the policy can keep strict."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from events import access, booking
from events.models import Event
from tests.conftest import ROOT
from tests.test_auth import log_in, make_organiser
from webapp.site import current_site

STRICT = {"script-src": "'self'", "style-src": "'self'", "object-src": "'none'",
          "base-uri": "'none'", "frame-ancestors": "'none'"}


def _policy(response: object) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]  # type: ignore[attr-defined]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def assert_protected(response: object, referrer: str = "strict-origin-when-cross-origin"
                     ) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    policy = _policy(response)
    for directive, value in STRICT.items():
        assert policy.get(directive) == value, (directive, policy)
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "unsafe-eval" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == referrer


def assert_secret(response: object) -> None:
    assert_protected(response, referrer="no-referrer")
    assert "no-store" in response.headers["Cache-Control"]  # type: ignore[attr-defined]


def test_every_kind_of_answer_carries_the_headers(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event()
    place = booking.register(session, event.id, "Ana", "ana.p@example.org").registration
    session.commit()
    token = access.issue_manage_token(session, current_site(), place.person)
    session.commit()
    public = ["/", f"/events/{event.id}", "/calendar.ics", "/api/v1/events",
              f"/api/v1/events/{event.id}", "/api/v1/openapi.json", "/static/mingle.css",
              "/no-such-page", "/api/v1/events/999999", "/login"]
    for path in public:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert_protected(response)
    assert client.get("/no-such-page").status_code == 404

    assert_secret(client.get(f"/me/{token}"))
    assert_secret(client.get(f"/me/{token}x"))  # the error page of a wrong token too
    assert_secret(client.get(f"/join/{access.join_token(current_site(), place)}"))
    feed = client.get(f"/me/{token}/calendar.ics")
    assert_protected(feed, referrer="no-referrer")
    # Calendar clients keep the private feed for a while, in no shared cache.
    assert "private" in feed.headers["Cache-Control"]

    make_organiser(session)
    log_in(client)
    organiser = client.get("/organise/")
    assert organiser.status_code == 200
    assert_protected(organiser)


def _example(argument: str) -> str:
    return "1-abc" if argument == "token" else {"slug": "x", "name": "x"}.get(argument, "1")


def test_every_route_with_a_token_keeps_it_out_of_referers_and_caches(
        app: Flask, client: FlaskClient) -> None:
    rules = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert len(rules) >= 15  # manage, join, speaker, feedback, reset, invitation, ideas...
    for rule in rules:
        path = rule.build({name: _example(name) for name in rule.arguments})[1]
        for method in ("GET", "POST"):
            response = client.open(path, method=method)
            headers = response.headers
            assert headers["Referrer-Policy"] == "no-referrer", (method, path)
            if headers.get("Content-Type", "").startswith("text/calendar"):
                continue
            assert "no-store" in headers.get("Cache-Control", ""), (method, path)


def test_public_pages_may_be_kept_and_say_where_they_came_from(client: FlaskClient) -> None:
    response = client.get("/")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize(("base_url", "hsts"), [("https://mingle.example.org", True),
                                                ("http://127.0.0.1:5000", False)])
def test_hsts_is_sent_when_the_site_is_served_over_https(
        app_factory: Callable[..., Flask], base_url: str, hsts: bool) -> None:
    client = app_factory(BASE_URL=base_url).test_client()
    for path in ("/", "/api/v1/events", "/no-such-page"):
        header = client.get(path).headers.get("Strict-Transport-Security")
        assert (header is not None and "max-age=31536000" in header) is hsts, path


# Inline code the policy refuses: <script> without src, on...= handlers, javascript:
# links, <style> blocks and style= attributes. E-mails are not served as pages.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:|<style[\s>]"
                    r"|\sstyle\s*=", re.IGNORECASE)


def test_page_templates_hold_no_inline_script_or_style() -> None:
    found = []
    for template in (ROOT / "templates").rglob("*.html"):
        if "emails" in template.relative_to(ROOT / "templates").parts:
            continue
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if INLINE.search(line):
                found.append(f"{template.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
