""""Does this event take registrations now?" is one rule, on the model: change it there
and the event page, the RSVP form, the API and the prepared RSVP all follow."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, type_coerce
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Session

from events import booking
from events.errors import NotOpen
from events.models import Event, Registration, UTCDateTime
from tests.conftest import csrf_token_from

HOUR = timedelta(hours=1)


class _AnHourLater(UTCDateTime):
    """A bound time, moved an hour on as it is sent (the rule below, in SQL)."""

    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return super().process_bind_param(None if value is None else value + HOUR, dialect)


def close_an_hour_earlier(monkeypatch: pytest.MonkeyPatch) -> None:
    """Change the one rule: registration now closes an hour before the start (and an
    hour before any deadline the organisers set)."""
    rule = Event.__dict__["takes_registrations"]

    def later(now: Any) -> Any:
        return now + HOUR if isinstance(now, datetime) else type_coerce(now, _AnHourLater())

    monkeypatch.setattr(Event, "takes_registrations", hybrid_method(
        lambda event, now, *who: rule.func(event, now + HOUR, *who),
        lambda cls, now, *who: getattr(rule.expr, "__func__", rule.expr)(cls, later(now), *who)))
    # The prepared RSVP compiled the old rule into its SQL: compile again.
    for statement in gc.get_objects():
        if type(statement).__name__ == "Prepared":
            monkeypatch.setattr(statement, "_compiled", {})


@pytest.mark.parametrize(("rule", "open_"), [("as it is", True), ("an hour earlier", False)])
@pytest.mark.parametrize("full", [False, True], ids=["seats free", "full with a waitlist"])
def test_the_page_the_form_the_api_and_the_prepared_rsvp_follow_the_one_rule(
        client: FlaskClient, session: Session, make_event: Callable[..., Event],
        monkeypatch: pytest.MonkeyPatch, rule: str, open_: bool, full: bool) -> None:
    event = make_event(capacity=1, starts_at=datetime.now(UTC) + timedelta(minutes=40))
    if full:
        booking.register(session, event.id, "First", "first@example.org")
        session.commit()
    if not open_:
        close_an_hour_earlier(monkeypatch)
    before = session.scalar(select(func.count()).select_from(Registration))

    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    # Sent from a page opened earlier (the page itself may offer no form now).
    token = csrf_token_from(client.get("/me").get_data(as_text=True))
    form = client.post(f"/events/{event.id}/rsvp", data={
        "csrf_token": token, "name": "Form", "email": "form@example.org"})
    api = client.post(f"/api/v1/events/{event.id}/registrations",
                      json={"name": "Api", "email": "api@example.org"})
    try:
        booking.register(session, event.id, "Direct", "direct@example.org")
        session.commit()
        direct = "placed"
    except NotOpen as refusal:
        session.rollback()
        direct = refusal.message
    stored = session.scalar(select(func.count()).select_from(Registration)) - before

    if open_:
        assert f'action="/events/{event.id}/rsvp"' in page
        assert (form.status_code, api.status_code, direct, stored) == (200, 201, "placed", 3)
    else:
        closed = "Registration for this event has closed."
        assert "/rsvp" not in page and closed in page
        assert (form.status_code, api.status_code, stored) == (409, 409, 0)
        assert closed in form.get_data(as_text=True)
        assert api.get_json()["error"] == closed and direct == closed
