"""The JSON API of the contract: listing, one event, and registrations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events.models import Event, EventStatus, Registration

FIELDS = {"id", "title", "kind", "starts_at", "ends_at", "timezone", "capacity", "seats_left",
          "waitlist_count", "status", "url", "registration_open", "offers", "closed_reason"}


def post(client: FlaskClient, event_id: int, body: object, **kwargs):
    return client.post(f"/api/v1/events/{event_id}/registrations", json=body, **kwargs)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Registration)) or 0


def test_events_list_has_the_contract_fields_and_no_meeting_link(
        client: FlaskClient, make_event: Callable[..., Event]) -> None:
    event = make_event(starts_at=datetime(2031, 7, 1, 7, 30, tzinfo=UTC))
    make_event(status=EventStatus.draft, title="Draft")
    response = client.get("/api/v1/events")
    assert response.status_code == 200
    body = response.get_json()
    assert [item["id"] for item in body["events"]] == [event.id]
    item = body["events"][0]
    assert set(item) == FIELDS
    assert item["starts_at"] == "2031-07-01T19:30:00+12:00"
    assert item["ends_at"] == "2031-07-01T20:00:00+12:00"
    assert item["timezone"] == "Pacific/Auckland"
    assert item["url"] == f"https://mingle.example.org/events/{event.id}"
    assert event.meeting_url not in response.get_data(as_text=True)


def test_one_event_reports_seats_left_and_waitlist(
        client: FlaskClient, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1)
    post(client, event.id, {"name": "A", "email": "a@example.org"})
    post(client, event.id, {"name": "B", "email": "b@example.org"})
    body = client.get(f"/api/v1/events/{event.id}").get_json()
    assert body["seats_left"] == 0
    assert body["waitlist_count"] == 1
    assert body["capacity"] == 1


def test_registration_is_created_then_returned_when_repeated(
        client: FlaskClient, make_event: Callable[..., Event], session: Session) -> None:
    event = make_event(capacity=1)
    first = post(client, event.id, {"name": "Ada", "email": "ada@example.org"})
    assert first.status_code == 201
    assert first.get_json()["status"] == "confirmed"
    repeat = post(client, event.id, {"name": "Ada", "email": "ADA@example.org"})
    assert repeat.status_code == 200
    assert repeat.get_json()["id"] == first.get_json()["id"]
    waiting = post(client, event.id, {"name": "Bo", "email": "bo@example.org"})
    assert waiting.status_code == 201
    assert waiting.get_json()["status"] == "waitlisted"
    assert waiting.get_json()["waitlist_position"] == 1
    assert count(session) == 2


@pytest.mark.parametrize(("kwargs", "status", "reason"), [
    ({"data": "name=Ada", "content_type": "application/x-www-form-urlencoded"}, 400, "JSON"),
    ({"data": "{not json", "content_type": "application/json"}, 400, "JSON"),
    ({"json": ["Ada", "ada@example.org"]}, 400, "JSON object"),
    ({"json": {"name": 7, "email": "ada@example.org"}}, 422, "'name' must be a string"),
    ({"json": {"name": "Ada", "email": ["ada@example.org"]}}, 422, "'email' must be a string"),
    ({"json": {"email": "ada@example.org"}}, 422, "'name' is required"),
    ({"json": {"name": "Ada", "email": "nope"}}, 422, "not valid"),
    ({"json": {"name": "", "email": "ada@example.org"}}, 422, "name"),
    ({"json": {"name": "x" * 500, "email": "ada@example.org"}}, 422, "at most 200"),
])
def test_bad_bodies_get_a_json_reason_and_store_nothing(
        client: FlaskClient, make_event: Callable[..., Event], session: Session,
        kwargs: dict, status: int, reason: str) -> None:
    event = make_event()
    response = client.post(f"/api/v1/events/{event.id}/registrations", **kwargs)
    assert response.status_code == status
    body = response.get_json()
    assert body["status"] == status
    assert reason in body["error"]
    assert count(session) == 0


def test_unknown_event_is_a_json_404(client: FlaskClient) -> None:
    response = post(client, 424242, {"name": "Ada", "email": "ada@example.org"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "There is no such event."
    assert client.get("/api/v1/events/424242").status_code == 404


@pytest.mark.parametrize(("fields", "reason"), [
    ({"starts_at": datetime.now(UTC) - timedelta(minutes=5)}, "already started"),
    ({"status": EventStatus.cancelled}, "cancelled"),
])
def test_closed_events_answer_409_with_the_reason(
        client: FlaskClient, make_event: Callable[..., Event], session: Session,
        fields: dict, reason: str) -> None:
    event = make_event(**fields)
    response = post(client, event.id, {"name": "Ada", "email": "ada@example.org"})
    assert response.status_code == 409
    assert reason in response.get_json()["error"]
    assert count(session) == 0


def test_api_errors_for_unknown_routes_and_methods_are_json(client: FlaskClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.is_json
    wrong_method = client.delete("/api/v1/events")
    assert wrong_method.status_code == 405 and wrong_method.is_json
