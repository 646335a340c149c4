"""One form of an e-mail address (events.people.email_key) for storage, look-ups and
rate-limit keys alike; addresses stored before it are brought to it by the migration."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text

from events import booking
from events.models import Event
from events.people import clean_email, email_key
from tests.test_architecture import _migrate
from tests.test_rate_limits import published_event

FULLWIDTH = "heidi@\uff45xample.org"


def test_look_alike_addresses_have_one_key_and_are_stored_as_it() -> None:
    assert email_key(FULLWIDTH) == email_key(" Heidi@Example.ORG ") == "heidi@example.org"
    assert clean_email(FULLWIDTH) == "heidi@example.org"
    assert clean_email("\uff48eidi@example.org") == "heidi@example.org"
    # Idempotent: a stored address is its own key.
    assert email_key(clean_email("Zoë@Example.org")) == clean_email("Zoë@Example.org")


def test_a_fullwidth_letter_counts_against_the_same_per_email_limit(
        app_factory: Callable[..., Flask]) -> None:
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_RSVP_EMAIL="2 per minute")
    event_id = published_event(app)
    client = app.test_client()
    replies = [client.post(f"/api/v1/events/{event_id}/registrations",
                           json={"name": "Heidi", "email": email},
                           environ_base={"REMOTE_ADDR": f"10.9.0.{n}"})
               for n, email in enumerate(["heidi@example.org", FULLWIDTH, FULLWIDTH])]
    assert [reply.status_code for reply in replies] == [201, 200, 429]


def test_the_same_person_whichever_form_is_typed(session: object,
                                                 make_event: Callable[..., Event]) -> None:
    from webapp.extensions import db

    event = make_event()
    first = booking.register(db.session, event.id, "Heidi", "heidi@example.org")
    again = booking.register(db.session, event.id, "Heidi", FULLWIDTH)
    db.session.commit()
    assert first.registration.person_id == again.registration.person_id


def test_the_migration_brings_stored_addresses_to_one_form(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _migrate(url, "upgrade", "0010_resources")
    engine = create_engine(url)
    with engine.begin() as connection:
        for person, email in ((1, "\uff48eidi@example.org"), (2, "ana@example.org"),
                              (3, "\uff41na@example.org")):
            connection.execute(text(
                "INSERT INTO people (id, email, name, manage_nonce, created_at) VALUES"
                f" ({person}, :email, 'P', 'n{person}', '2030-01-01 00:00:00')"),
                {"email": email})
    engine.dispose()
    _migrate(url, "upgrade", "heads")
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, email FROM people ORDER BY id")).all()
    engine.dispose()
    # The third would be the second's twin: it keeps its old form rather than collide.
    assert [tuple(row) for row in rows] == [(1, "heidi@example.org"), (2, "ana@example.org"),
                                            (3, "\uff41na@example.org")]
