"""Forgetting people: "Forget me" on the manage page (confirmed, CSRF, token) and the
organisers' purge of people inactive for a while. The e-mail leaves every table;
the counts reports rest on stay as they were."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import access, booking, forgetting, limits, login_guard, outbox
from events.feedback_models import FeedbackAnswers, Questions
from events.models import (
    Event,
    EventStatus,
    InvitationStatus,
    Person,
    Registration,
    RegistrationStatus,
    Role,
    RoleKind,
)
from events.schema import metadata
from tests.conftest import SmtpInbox, csrf_token_from
from webapp.mailer import drain_once
from webapp.site import current_site

EMAIL = "forget.me@example.org"


def tables_holding(session: Session, needle: str) -> list[str]:
    """Every table with a row whose text holds ``needle`` (any column, JSON included)."""
    found = []
    for table in metadata.sorted_tables:
        for row in session.execute(select(table)).all():
            if needle in repr(tuple(row)).lower():
                found.append(table.name)
                break
    return found


def counts(session: Session, *event_ids: int) -> list[tuple[int, str, int]]:
    """What reports count: places by event and status, and feedback answers per event."""
    places = session.execute(
        select(Registration.event_id, Registration.status, func.count())
        .where(Registration.event_id.in_(event_ids))
        .group_by(Registration.event_id, Registration.status)).all()
    answers = session.execute(
        select(FeedbackAnswers.event_id, func.count()).group_by(FeedbackAnswers.event_id)).all()
    return sorted((e, str(s), n) for e, s, n in places) + sorted((e, "answers", n)
                                                                for e, n in answers)


def a_past_and_a_coming_place(session: Session,
                              make_event: Callable[..., Event]) -> tuple[Person, Event, Event]:
    past = make_event(title="Last month", status=EventStatus.completed,
                      starts_at=datetime.now(UTC) - timedelta(days=30))
    coming = make_event(title="Next week", capacity=1)
    booking.register(session, coming.id, "Forget Me", EMAIL)
    # The past event's place is written as it stands after the evening.
    person = session.execute(select(Person).where(Person.email == EMAIL)).scalar_one()
    session.add(Registration(event=past, person=person, status=RegistrationStatus.attended))
    session.flush()
    registration = session.execute(select(Registration).where(
        Registration.event_id == past.id)).scalar_one()
    session.add(FeedbackAnswers(locator=hashlib.sha256(b"x").hexdigest(), event_id=past.id,
                                questions=Questions.evening, registration_id=registration.id,
                                rating=5, worked="The small groups."))
    booking.register(session, coming.id, "Next In Line", "next@example.org")
    session.commit()
    return person, past, coming


def test_forget_me_asks_first_then_removes_the_address_everywhere_and_keeps_the_counts(
        app: Flask, client: FlaskClient, session: Session, make_event: Callable[..., Event],
        smtp_server: tuple[SmtpInbox, int]) -> None:
    person, past, coming = a_past_and_a_coming_place(session, make_event)
    # A wrong password typed for the address is kept under it too.
    login_guard.log_in(session, EMAIL, "not an account")
    token = access.issue_manage_token(session, current_site(), person)
    session.commit()
    before = counts(session, past.id)
    assert tables_holding(session, EMAIL)

    page = client.get(f"/me/{token}")
    assert f"/me/{token}/forget" in page.get_data(as_text=True)
    confirm = client.get(f"/me/{token}/forget")
    assert confirm.status_code == 200 and "Forget me now" in confirm.get_data(as_text=True)
    # Nothing happens without the form's CSRF token, or with another person's link.
    assert client.post(f"/me/{token}/forget").status_code == 400
    assert client.get("/me/not-the-token/forget").status_code == 404
    assert session.get(Person, person.id).forgotten_at is None

    done = client.post(f"/me/{token}/forget",
                       data={"csrf_token": csrf_token_from(confirm.get_data(as_text=True))})
    assert done.status_code == 200 and "You are forgotten" in done.get_data(as_text=True)

    session.expire_all()
    assert tables_holding(session, EMAIL) == []
    assert tables_holding(session, "forget me") == []
    assert counts(session, past.id) == before
    # Their coming place went to the next in line; the old link is dead.
    statuses = dict(session.execute(select(Person.name, Registration.status).join(Person)
                                    .where(Registration.event_id == coming.id)).all())
    assert statuses == {forgetting.FORGOTTEN_NAME: RegistrationStatus.cancelled,
                        "Next In Line": RegistrationStatus.confirmed}
    assert session.get(FeedbackAnswers, hashlib.sha256(b"x").hexdigest()).registration_id is None
    assert client.get(f"/me/{token}").status_code == 404
    # Anything still written to them later (a feedback request, say) reaches nobody.
    outbox.enqueue_to(session, "manage_link", person.email, person.name, person_id=person.id)
    session.commit()
    while drain_once() != (0, 0):
        pass
    inbox = smtp_server[0]
    inbox.wait_for(10, timeout=0.5)
    # Only the person next in line hears anything (their place, and their promotion).
    assert {to for recipients, _ in inbox.envelopes for to in recipients} == {"next@example.org"}


def test_a_speaker_is_not_forgotten_from_the_manage_page(
        app: Flask, client: FlaskClient, session: Session,
        make_event: Callable[..., Event]) -> None:
    event = make_event()
    booking.register(session, event.id, "Guest", "guest@example.org")
    person = session.execute(select(Person).where(Person.email == "guest@example.org")
                             ).scalar_one()
    session.add(Role(event=make_event(title="Their talk"), person=person, kind=RoleKind.guest,
                     status=InvitationStatus.accepted))
    token = access.issue_manage_token(session, current_site(), person)
    session.commit()
    confirm = client.get(f"/me/{token}/forget")
    refused = client.post(f"/me/{token}/forget",
                          data={"csrf_token": csrf_token_from(confirm.get_data(as_text=True))})
    assert refused.status_code == 409
    assert "ask them to remove you" in refused.get_data(as_text=True)
    assert session.get(Person, person.id).email == "guest@example.org"


def test_purge_inactive_forgets_only_people_silent_for_the_period(
        app: Flask, session: Session, make_event: Callable[..., Event]) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=800)
    old = make_event(title="Long ago", status=EventStatus.completed, starts_at=long_ago)
    recent = make_event(title="Recent", status=EventStatus.completed,
                        starts_at=datetime.now(UTC) - timedelta(days=10))
    for email, event in (("silent@example.org", old), ("active@example.org", recent)):
        person = Person(name=email, email=email, created_at=long_ago)
        session.add(Registration(event=event, person=person, status=RegistrationStatus.attended,
                                 created_at=long_ago, updated_at=long_ago))
    session.commit()
    before = counts(session, old.id, recent.id)

    runner = app.test_cli_runner()
    result: Result = runner.invoke(args=["purge-inactive", "--days", "365"])
    assert result.exit_code == 0, result.output
    assert "Forgot 1 person inactive for 365 days." in result.output
    session.expire_all()
    assert tables_holding(session, "silent@example.org") == []
    assert tables_holding(session, "active@example.org")
    assert counts(session, old.id, recent.id) == before
    # The default period is the one in events/limits.py; nobody else is that silent.
    assert runner.invoke(args=["purge-inactive"]).output.startswith("Forgot 0 people")
    assert timedelta(days=730) == limits.FORGET_INACTIVE_AFTER
