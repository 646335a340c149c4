"""Input that strangers can type into an address bar or a form: refused, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events.errors import InvalidInput
from events.models import Event, Person
from events.planning import clean_reminder_offsets
from events.scheduling import to_utc
from events.signed_links import same_mac, small_id, split_token


@pytest.mark.parametrize("path", [
    "/events/2147483648", "/events/99999999999999999999", "/events/2147483648.ics",
    "/api/v1/events/99999999999999999999", "/series/2147483648/calendar.ics",
    "/join/²-abc", "/join/1-é", "/join/99999999999999999-abc", "/join/-", "/join/1-",
])
def test_out_of_range_ids_and_odd_tokens_are_not_found(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404


def test_a_registration_post_to_a_huge_id_is_a_json_404(client: FlaskClient) -> None:
    response = client.post("/api/v1/events/2147483648/registrations",
                           json={"name": "Ada", "email": "ada@example.org"})
    assert response.status_code == 404
    assert response.is_json


@pytest.mark.parametrize("name", ["a\u0000b", "tab\u0007bell", "\u001b[31mred"])
def test_control_characters_in_a_name_are_refused_with_a_reason(
        client: FlaskClient, make_event: Callable[..., Event], session: Session,
        name: str) -> None:
    event = make_event()
    response = client.post(f"/api/v1/events/{event.id}/registrations",
                           json={"name": name, "email": "ada@example.org"})
    assert response.status_code == 422
    assert "control characters" in response.get_json()["error"]
    assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_token_pieces_refuse_what_int_and_compare_digest_would_choke_on() -> None:
    assert small_id("²") is None and small_id("1234567890") is None and small_id("42") == 42
    assert split_token("²-abc") is None and split_token("7-") is None
    assert split_token("7-abc") == (7, "abc")
    assert same_mac("é", "abc") is False and same_mac("abc", "abc") is True


@pytest.mark.parametrize("year", [1, 9999])
def test_far_off_years_are_refused_when_planning(year: int) -> None:
    with pytest.raises(InvalidInput, match="Choose a date between"):
        to_utc(datetime(year, 1, 1, 19, 30), "Pacific/Auckland")


def test_reminder_offsets_refuse_digits_that_are_not_ascii() -> None:
    with pytest.raises(InvalidInput, match="minutes before the start"):
        clean_reminder_offsets("1440, ²")
