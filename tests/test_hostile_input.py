"""Input that strangers can type into an address bar or a form: refused, never a 500."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import limits
from events.errors import InvalidInput
from events.models import Event, Person, Programme
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


def stored(session: Session) -> dict[str, int]:
    """Rows per table: what a refusal must leave as it found it."""
    from events import schema

    session.expire_all()
    return {table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in schema.metadata.sorted_tables}


NESTED = "[" * 100_000 + "]" * 100_000


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
@pytest.mark.parametrize("body", [
    NESTED, '{"name": "Ada", "email": ' + NESTED + "}",
    '{"name": "Ada", "email": "ada@example.org", "x": ' + NESTED + "}",
])
@pytest.mark.parametrize("path", ["/api/v1/events/{event}/registrations",
                                  "/api/v1/discussions/{event}/sign-ups"])
def test_deeply_nested_json_is_refused_with_a_reason_when_limits_are_on(
        client: FlaskClient, make_event: Callable[..., Event], session: Session,
        body: str, path: str) -> None:
    event = make_event()
    before = stored(session)
    response = client.post(path.format(event=event.id), data=body,
                           content_type="application/json")
    assert response.status_code == 400
    assert "JSON object" in response.get_json()["error"]
    assert stored(session) == before


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
@pytest.mark.parametrize("fields", [
    {"name": "A\ud800", "email": "ada@example.org"},
    {"name": "Ada", "email": "ada\udfff@example.org"},
    {"name": "Ada\udbff\udbff", "email": "ada@example.org"},
])
def test_a_lone_surrogate_in_a_name_or_address_is_refused_with_a_reason(
        client: FlaskClient, make_event: Callable[..., Event], session: Session,
        fields: dict[str, str]) -> None:
    event = make_event()
    before = stored(session)
    # The JSON escapes (\ud800) survive; the test client cannot encode the raw characters.
    body = json.dumps(fields)
    response = client.post(f"/api/v1/events/{event.id}/registrations", data=body,
                           content_type="application/json")
    assert response.status_code == 422
    assert "control characters" in response.get_json()["error"]
    assert stored(session) == before


@pytest.mark.parametrize("target", [
    "/organise/%0d%0aSet-Cookie:%20stolen=1", "/organise/%0aX", "/x%0d", "/%00", "/a%09b",
])
def test_a_next_address_with_control_characters_is_dropped_at_login(
        client: FlaskClient, session: Session, target: str) -> None:
    from tests.test_auth import PASSWORD, csrf, make_organiser

    make_organiser(session)
    response = client.post(f"/login?next={target}",
                           data={"email": "ana@example.org", "password": PASSWORD,
                                 "csrf_token": csrf(client)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/organise/"
    assert "Set-Cookie" not in response.headers.get("Location", "")
    assert client.get(f"/login?next={target}").status_code == 200


def test_a_body_larger_than_an_attendance_report_is_refused_with_a_readable_page(
        client: FlaskClient, make_event: Callable[..., Event], session: Session) -> None:
    event = make_event()
    before = stored(session)
    too_much = "x" * (limits.REQUEST_MAX_BYTES + 1)
    page = client.post(f"/events/{event.id}/rsvp", data={"name": too_much, "email": "a@b.org"})
    assert page.status_code == 413
    assert page.mimetype == "text/html"
    assert "too much to send at once" in page.get_data(as_text=True)
    api = client.post(f"/api/v1/events/{event.id}/registrations",
                      data=json.dumps({"name": too_much, "email": "ada@example.org"}),
                      content_type="application/json")
    assert api.status_code == 413 and "too much" in api.get_json()["error"]
    assert stored(session) == before


def test_the_largest_attendance_report_still_fits_in_a_request() -> None:
    # Multipart framing and the form's other fields fit in what is left over.
    assert limits.REQUEST_MAX_BYTES >= limits.IMPORT_MAX_BYTES + 16 * 1024


@pytest.mark.parametrize("email", ["\x00", "ana@example.org\x00"])
def test_a_login_or_reset_with_control_characters_in_the_address_is_refused_not_a_500(
        client: FlaskClient, session: Session, email: str) -> None:
    from tests.test_auth import PASSWORD, csrf, make_organiser

    make_organiser(session)
    before = stored(session)
    login = client.post("/login", data={"email": email, "password": PASSWORD,
                                        "csrf_token": csrf(client)})
    assert login.status_code == 422
    reset = client.post("/login/reset", data={"email": email, "csrf_token": csrf(client)})
    assert reset.status_code < 500
    assert stored(session) == before


def test_an_attendance_report_of_the_largest_allowed_size_is_read_not_refused_as_too_large(
        client: FlaskClient, session: Session, programme: Programme,
        make_event: Callable[..., Event]) -> None:
    from tests.test_auth import log_in, make_organiser

    event = make_event()
    make_organiser(session, programme=programme)
    token = log_in(client)
    header = b"Name,Email,Duration (minutes)\n"
    row = b"Ada Lovelace,ada@example.org,45\n"
    report = header + row * ((limits.IMPORT_MAX_BYTES - len(header)) // len(row))
    response = client.post(f"/organise/events/{event.id}/attendance",
                           data={"csrf_token": token,
                                 "file": (io.BytesIO(report), "participants.csv")})
    assert len(report) <= limits.IMPORT_MAX_BYTES
    assert response.status_code not in (413, 500)
