"""Resources along the way: who sees which resource when, in which order, and what an
organiser may attach (http and https links only, titles escaped, notes sanitised)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import access, booking, limits, reminders, resources
from events.errors import InvalidInput
from events.models import Event, Programme, RegistrationStatus, Series
from events.resources import (
    Resource,
    ResourceAudience,
    ResourcePlan,
    ResourceTiming,
)
from tests.conftest import SmtpInbox, csrf_token_from
from tests.feedback_support import held_event
from tests.test_auth import log_in, make_organiser
from webapp.extensions import db
from webapp.mailer import drain_once
from webapp.site import current_site

NOW = datetime.now(UTC).replace(microsecond=0)


def attach(session: Session, event: Event, title: str, timing: str = "before",
           audience: str = "public", url: str = "https://example.org/read",
           description: str = "", kind: str = "reading") -> Resource:
    resource = resources.add_resource(session, event, ResourcePlan(
        title=title, kind=kind, timing=timing, audience=audience, url=url,
        description=description))
    session.commit()
    return resource


def every_kind_of(session: Session, event: Event) -> dict[str, Resource]:
    """One resource per (timing, audience), titled e.g. "before-public"."""
    return {f"{timing}-{audience}": attach(session, event, f"{timing}-{audience}", timing,
                                           audience)
            for timing, audience in itertools.product(("before", "after"),
                                                      ("public", "registered"))}


def titles(shown: list[Resource]) -> list[str]:
    return [resource.title for resource in shown]


@pytest.mark.parametrize(("has_place", "started"),
                         list(itertools.product((False, True), repeat=2)))
def test_the_one_rule_agrees_in_python_and_in_sql(
        session: Session, make_event: Callable[..., Event], has_place: bool,
        started: bool) -> None:
    event = make_event(starts_at=NOW - timedelta(hours=1) if started
                       else NOW + timedelta(days=1))
    every_kind_of(session, event)
    in_sql = set(session.scalars(select(Resource.title).join(Resource.event).where(
        Resource.shown(has_place, Event.has_started(NOW)))))
    in_python = {resource.title for resource in resources.of_event(session, event.id)
                 if resource.shown(has_place, event.has_started(NOW))}
    expected = {"before-public"} | ({"before-registered"} if has_place else set())
    if started:
        expected |= {title.replace("before", "after") for title in expected}
    assert in_sql == in_python == expected


def test_the_public_sees_public_resources_and_after_ones_only_from_the_start(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    coming = make_event(starts_at=NOW + timedelta(days=2))
    over = make_event(title="Over", starts_at=NOW - timedelta(days=2))
    every_kind_of(session, coming)
    every_kind_of(session, over)

    shown = resources.shown_publicly(session, [coming, over], NOW)
    assert titles(shown[coming.id]) == ["before-public"]
    assert titles(shown[over.id]) == ["before-public", "after-public"]
    page = client.get(f"/events/{coming.id}").get_data(as_text=True)
    assert "before-public" in page
    assert "before-registered" not in page
    assert "after-public" not in page and "after-registered" not in page
    page = client.get(f"/events/{over.id}").get_data(as_text=True)
    assert "before-public" in page and "after-public" in page
    assert "before-registered" not in page and "after-registered" not in page


def test_people_with_a_seat_see_registered_resources_on_their_page_and_waitlisted_do_not(
        client: FlaskClient, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1, starts_at=NOW + timedelta(days=2))
    every_kind_of(session, event)
    seated = booking.register(session, event.id, "Seated", "seated@example.org").registration
    waiting = booking.register(session, event.id, "Waiting", "waiting@example.org").registration
    assert waiting.status == RegistrationStatus.waitlisted
    tokens = {registration.person.name: access.issue_manage_token(
        session, current_site(), registration.person) for registration in (seated, waiting)}
    session.commit()

    mine = client.get(f"/me/{tokens['Seated']}").get_data(as_text=True)
    assert "before-public" in mine and "before-registered" in mine
    assert "after-public" not in mine and "after-registered" not in mine
    theirs = client.get(f"/me/{tokens['Waiting']}").get_data(as_text=True)
    assert "before-public" in theirs and "before-registered" not in theirs
    # A wrong token reveals nothing.
    wrong = client.get(f"/me/{tokens['Seated']}x")
    assert wrong.status_code == 404 and "before-registered" not in wrong.get_data(as_text=True)


def test_a_series_page_lists_each_events_public_resources_in_order_for_late_joiners(
        client: FlaskClient, session: Session, programme: Programme,
        make_event: Callable[..., Event]) -> None:
    series = Series(programme=programme, title="Leading from any chair", published_at=NOW)
    session.add(series)
    session.commit()
    first = make_event(series=series, title="First", starts_at=NOW - timedelta(days=7))
    second = make_event(series=series, title="Second", starts_at=NOW + timedelta(days=7))
    attach(session, second, "Second reading")
    attach(session, first, "First recording", "after", kind="recording")
    attach(session, first, "First slides", "after", "registered", kind="slides")
    attach(session, first, "First reading")
    reading = attach(session, first, "First essay")
    resources.move_resource(session, reading, -1)
    session.commit()

    page = client.get(f"/series/{series.id}").get_data(as_text=True)
    order = ["First</a>", "Before the event", "First essay", "First reading",
             "After the event", "First recording", "Second</a>", "Second reading"]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert "First slides" not in page


def test_moving_a_resource_swaps_it_with_its_neighbour_and_stops_at_the_ends(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event()
    a, b, c = (attach(session, event, title) for title in "abc")
    resources.move_resource(session, c, -1)
    assert titles(resources.of_event(session, event.id)) == ["a", "c", "b"]
    resources.move_resource(session, a, -1)
    resources.move_resource(session, b, 1)
    assert titles(resources.of_event(session, event.id)) == ["a", "c", "b"]
    resources.remove_resource(session, c)
    resources.move_resource(session, b, -1)
    assert titles(resources.of_event(session, event.id)) == ["b", "a"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>",
                                 "ftp://example.org/file", "example.org/no-scheme",
                                 "https://", "https://exa mple.org/"])
def test_only_http_and_https_links_are_accepted(
        session: Session, make_event: Callable[..., Event], url: str) -> None:
    event = make_event()
    with pytest.raises(InvalidInput) as refused:
        resources.add_resource(session, event, ResourcePlan(title="Bad", url=url))
    assert refused.value.field == "url" and "http:// or https://" in refused.value.message


def test_an_event_carries_at_most_its_limit_of_resources(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event()
    for n in range(limits.RESOURCES_PER_EVENT):
        resources.add_resource(session, event, ResourcePlan(title=f"R{n}"))
    with pytest.raises(InvalidInput, match="at most"):
        resources.add_resource(session, event, ResourcePlan(title="One too many"))


@pytest.fixture
def organiser_client(client: FlaskClient, session: Session, programme: Programme) -> FlaskClient:
    make_organiser(session, programme=programme)
    log_in(client)
    return client


def add_form(client: FlaskClient, event: Event, **fields: str) -> tuple[int, str]:
    token = csrf_token_from(client.get(f"/organise/events/{event.id}").get_data(as_text=True))
    data = {"title": "Reading", "kind": "reading", "timing": "before", "audience": "public",
            "url": "", "description": "", **fields}
    data = {f"resource-{name}": value for name, value in data.items()} | {"csrf_token": token}
    response = client.post(f"/organise/events/{event.id}/resources", data=data,
                           follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def test_an_organiser_adds_a_resource_whose_title_is_escaped_and_notes_sanitised(
        organiser_client: FlaskClient, app: Flask, session: Session,
        make_event: Callable[..., Event]) -> None:
    event = make_event()
    status, page = add_form(
        organiser_client, event, title="<script>alert('t')</script> Chapter 1",
        url="https://example.org/ch1",
        description="Read **this**. <img src=x onerror=alert(1)> [bad](javascript:alert(2))")
    assert status == 200 and "added." in page
    [stored] = resources.of_event(session, event.id)
    assert stored.title.startswith("<script>")

    public = app.test_client().get(f"/events/{event.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; Chapter 1" in public
    assert "<script>alert" not in public
    assert "<strong>this</strong>" in public
    # Raw HTML stays text, and a javascript: link is no link at all.
    assert "<img" not in public and "&lt;img src=x onerror=alert(1)&gt;" in public
    assert 'href="javascript:' not in public
    assert 'href="https://example.org/ch1"' in public


def test_a_bad_link_is_refused_beside_its_field_and_nothing_is_stored(
        organiser_client: FlaskClient, session: Session,
        make_event: Callable[..., Event]) -> None:
    event = make_event()
    status, page = add_form(organiser_client, event, url="javascript:alert(1)")
    assert status == 422
    assert "must be an http:// or https:// address" in page
    assert session.scalar(select(func.count()).select_from(Resource)) == 0


def test_an_organiser_edits_moves_and_removes_resources_of_their_own_events_only(
        organiser_client: FlaskClient, session: Session, make_event: Callable[..., Event]
) -> None:
    event = make_event()
    first, second = attach(session, event, "First"), attach(session, event, "Second")
    edit = f"/organise/events/{event.id}/resources/{first.id}/edit"
    assert organiser_client.get(edit).status_code == 200
    token = csrf_token_from(organiser_client.get(f"/organise/events/{event.id}").get_data(
        as_text=True))
    response = organiser_client.post(edit, data={
        "csrf_token": token, "resource-title": "First, renamed", "resource-kind": "recording",
        "resource-timing": "after", "resource-audience": "registered",
        "resource-url": "https://example.org/rec", "resource-description": ""})
    assert response.status_code == 303
    session.expire_all()
    assert (first.title, first.timing, first.audience) == (
        "First, renamed", ResourceTiming.after, ResourceAudience.registered)

    response = organiser_client.post(
        f"/organise/events/{event.id}/resources/{second.id}/move",
        data={"csrf_token": token, "direction": "up"})
    assert response.status_code == 303
    assert titles(resources.of_event(session, event.id)) == ["Second", "First, renamed"]
    response = organiser_client.post(
        f"/organise/events/{event.id}/resources/{second.id}/remove", data={"csrf_token": token})
    assert response.status_code == 303
    assert titles(resources.of_event(session, event.id)) == ["First, renamed"]

    # A resource is reached through its own event only.
    other = make_event(title="Other")
    for path in (f"/organise/events/{other.id}/resources/{first.id}/edit",):
        assert organiser_client.get(path).status_code == 404
    response = organiser_client.post(
        f"/organise/events/{other.id}/resources/{first.id}/remove", data={"csrf_token": token})
    assert response.status_code == 404
    assert titles(resources.of_event(session, event.id)) == ["First, renamed"]


def test_for_place_gives_an_e_mail_the_resources_of_its_moment(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(starts_at=NOW - timedelta(hours=2))
    every_kind_of(session, event)
    seated = booking.register(session, event.id, "Seated", "seated@example.org",
                              now=NOW - timedelta(days=3)).registration
    assert titles(resources.for_place(session, seated, ResourceTiming.after, NOW)) == [
        "after-public", "after-registered"]
    assert titles(resources.for_place(session, seated, ResourceTiming.before, NOW)) == [
        "before-public", "before-registered"]
    booking.cancel(session, seated.id, now=NOW - timedelta(days=2))
    assert titles(resources.for_place(session, seated, ResourceTiming.after, NOW)) == [
        "after-public"]


def test_the_reminder_e_mail_lists_the_pre_reading_a_seat_brings(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event]) -> None:
    _, inbox = mail_app
    session = db.session
    event = make_event(starts_at=NOW + timedelta(hours=23))
    every_kind_of(session, event)
    attach(session, event, "Chapter one & two", url="", kind="reading",
           description="Think about **one** question.")
    booking.register(session, event.id, "Ada Lovelace", "ada@example.org",
                     now=NOW - timedelta(days=3))
    session.commit()
    drain_once()
    inbox.wait_for(1)
    inbox.envelopes.clear()

    assert reminders.run_due(session).reminders == 1
    session.commit()
    assert drain_once() == (1, 0)
    [reminder] = inbox.wait_for(1)
    text = reminder.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = reminder.get_body(preferencelist=("html",)).get_content()
    assert "To read or watch before the event:" in text
    assert "- Reading: before-public <https://example.org/read>" in text
    assert "- Reading: before-registered <https://example.org/read>" in text
    # The description is Markdown: plain text in the text part, bold in the HTML part.
    assert "- Reading: Chapter one & two\n" in text and "  Think about one question." in text
    assert all(title not in text + html for title in ("after-public", "after-registered"))
    assert '<a href="https://example.org/read">before-registered</a>' in html
    assert "Chapter one &amp; two" in html and "<strong>one</strong>" in html



def test_the_feedback_request_lists_what_was_shared_after_the_event(
        mail_app: tuple[Flask, SmtpInbox], make_event: Callable[..., Event]) -> None:
    _, inbox = mail_app
    session = db.session
    held = held_event(session, make_event, attended=1)
    every_kind_of(session, held.event)
    session.commit()
    assert reminders.run_due(session, site=current_site()).feedback.requests == 1
    session.commit()
    assert drain_once() == (1, 0)
    [request] = inbox.wait_for(1)
    text = request.get_body(preferencelist=("plain",)).get_content()
    assert "after-public" in text and "after-registered" in text
    assert "before-public" not in text and "before-registered" not in text
