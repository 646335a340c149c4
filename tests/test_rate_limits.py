"""Rate limits on RSVP (form and API) and "lost your link?": per address and per e-mail,
from configuration, with a readable 429; in memory or in Redis."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from events.models import Event
from tests.conftest import _empty_tables, csrf_token_from
from webapp.config import RATE_LIMITS, from_environment
from webapp.extensions import db


@pytest.fixture
def limited(app_factory: Callable[..., Flask]) -> Iterator[Callable[..., Flask]]:
    made: list[Flask] = []

    def make(**config: object) -> Flask:
        app = app_factory(RATELIMIT_ENABLED=True, **config)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            _empty_tables()


def published_event(app: Flask, make_event: Callable[..., Event] | None = None) -> int:
    from datetime import UTC, datetime, timedelta

    from events.models import EventKind, EventStatus, Programme

    with app.app_context():
        _empty_tables()
        programme = Programme(slug=f"p-{uuid.uuid4().hex[:8]}", name="Limits")
        event = Event(programme=programme, kind=EventKind.conversation, title="Limited",
                      starts_at=datetime.now(UTC) + timedelta(days=3), timezone="UTC",
                      capacity=100, status=EventStatus.published)
        db.session.add(event)
        db.session.commit()
        return event.id


def form_rsvp(client: FlaskClient, event_id: int, email: str, address: str) -> int:
    return form_rsvp_page(client, event_id, email, address)[0]


def form_rsvp_page(client: FlaskClient, event_id: int, email: str,
                   address: str) -> tuple[int, str]:
    page = client.get(f"/events/{event_id}", environ_base={"REMOTE_ADDR": address})
    reply = client.post(f"/events/{event_id}/rsvp",
                        data={"csrf_token": csrf_token_from(page.get_data(as_text=True)),
                              "name": "Ada", "email": email},
                        environ_base={"REMOTE_ADDR": address})
    return reply.status_code, reply.get_data(as_text=True)


def test_limits_are_on_by_default_and_generous_for_a_shared_address(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RATELIMIT_ENABLED", "RATELIMIT_RSVP"):
        monkeypatch.delenv(name, raising=False)
    config = from_environment("instance")
    assert config["RATELIMIT_ENABLED"] is True
    assert config["RATELIMIT_RSVP"] == RATE_LIMITS["RATELIMIT_RSVP"]
    monkeypatch.setenv("RATELIMIT_ENABLED", "0")
    monkeypatch.setenv("RATELIMIT_RSVP", "500 per minute")
    config = from_environment("instance")
    assert config["RATELIMIT_ENABLED"] is False and config["RATELIMIT_RSVP"] == "500 per minute"


def test_two_hundred_rsvps_from_one_library_address_all_pass_by_default(
        limited: Callable[..., Flask]) -> None:
    # An all-staff e-mail: everyone behind the library's one address RSVPs at once.
    app = limited()
    event_id = published_event(app)
    client = app.test_client()
    csrf = csrf_token_from(client.get(f"/events/{event_id}").get_data(as_text=True))
    codes = [client.post(f"/events/{event_id}/rsvp",
                         data={"name": f"Staff {n}", "email": f"staff{n}@library.example",
                               "csrf_token": csrf},
                         environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code
             for n in range(200)]
    assert codes == [200] * 200
    # The per-e-mail limit still does its work from that same address.
    again = [client.post(f"/events/{event_id}/rsvp",
                         data={"name": "Same", "email": "same@library.example",
                               "csrf_token": csrf},
                         environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code
             for _ in range(11)]
    assert again == [200] * 10 + [429]


def test_the_rsvp_form_is_limited_per_address_and_comes_back_as_typed(
        limited: Callable[..., Flask]) -> None:
    app = limited(RATELIMIT_RSVP="3 per minute")
    event_id = published_event(app)
    client = app.test_client()
    codes = [form_rsvp(client, event_id, f"p{n}@example.org", "10.0.0.1") for n in range(4)]
    assert codes == [200, 200, 200, 429]
    page = client.get(f"/events/{event_id}", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    reply = client.post(f"/events/{event_id}/rsvp",
                        data={"csrf_token": csrf_token_from(page.get_data(as_text=True)),
                              "name": "Ada Lovelace", "email": "p5@example.org"},
                        environ_base={"REMOTE_ADDR": "10.0.0.1"})
    text = reply.get_data(as_text=True)
    assert reply.status_code == 429
    # The form again, with what the person typed, and when to send it again.
    assert 'value="Ada Lovelace"' in text and 'value="p5@example.org"' in text
    assert f'action="/events/{event_id}/rsvp"' in text
    assert "from your network" in text and "please send it again in" in text
    assert 1 <= int(reply.headers["Retry-After"]) <= 61
    # Someone behind another address is not held up.
    assert form_rsvp(client, event_id, "p9@example.org", "10.0.0.2") == 200


def test_the_api_is_limited_per_email_across_addresses_with_a_json_reason(
        limited: Callable[..., Flask]) -> None:
    app = limited(RATELIMIT_RSVP_EMAIL="2 per minute")
    event_id = published_event(app)
    client = app.test_client()
    replies = [client.post(f"/api/v1/events/{event_id}/registrations",
                           json={"name": "Ada", "email": "Ada@Example.org"},
                           environ_base={"REMOTE_ADDR": f"10.0.1.{n}"}) for n in range(3)]
    assert [reply.status_code for reply in replies] == [201, 200, 429]
    refusal = replies[2].get_json()
    wait = int(replies[2].headers["Retry-After"])
    assert 1 <= wait <= 61 and refusal["retry_after"] == wait and refusal["status"] == 429
    assert refusal["error"].startswith(
        "Too many RSVPs have come for this e-mail address in a short time. "
        "Please try again in ")
    other = client.post(f"/api/v1/events/{event_id}/registrations",
                        json={"name": "Bo", "email": "bo@example.org"},
                        environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert other.status_code == 201


def test_lost_link_is_limited_per_address_and_per_email(limited: Callable[..., Flask]) -> None:
    app = limited(RATELIMIT_LOST_LINK="3 per hour", RATELIMIT_LOST_LINK_EMAIL="2 per hour")
    published_event(app)
    client = app.test_client()
    csrf = csrf_token_from(client.get("/me").get_data(as_text=True))

    def ask(email: str, address: str) -> int:
        return client.post("/me", data={"csrf_token": csrf, "email": email},
                           environ_base={"REMOTE_ADDR": address}).status_code

    assert [ask("same@example.org", f"10.0.2.{n}") for n in range(3)] == [200, 200, 429]
    assert [ask(f"x{n}@example.org", "10.0.3.1") for n in range(4)] == [200, 200, 200, 429]
    assert client.get("/me", environ_base={"REMOTE_ADDR": "10.0.3.1"}).status_code == 200


def test_limits_can_live_in_redis(limited: Callable[..., Flask]) -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    # Redis outlives the test process: a fresh client address per run.
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    app = limited(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379", RATELIMIT_RSVP="2 per minute")
    event_id = published_event(app)
    codes = [form_rsvp(app.test_client(), event_id, f"r{n}@example.org", address)
             for n in range(3)]
    assert codes == [200, 200, 429]
    # A second app (another worker process, in production) shares the count.
    second = limited(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
                     RATELIMIT_RSVP="2 per minute")
    assert form_rsvp(second.test_client(), event_id, "r9@example.org", address) == 429


def test_limits_switched_off_by_configuration_let_everything_through(
        app: Flask, client: FlaskClient, session: Session,
        make_event: Callable[..., Event]) -> None:
    event = make_event()
    codes = {client.post(f"/api/v1/events/{event.id}/registrations",
                         json={"name": "Ada", "email": f"a{n}@example.org"}).status_code
             for n in range(80)}
    assert codes == {201}


def test_the_series_sign_up_form_comes_back_as_typed_when_a_limit_is_met(
        limited: Callable[..., Flask]) -> None:
    from events.models import Series

    app = limited(RATELIMIT_RSVP="1 per minute")
    event_id = published_event(app)
    with app.app_context():
        event = db.session.get_one(Event, event_id)
        series = Series(programme=event.programme, title="Limited series",
                        published_at=event.starts_at - timedelta(days=30))
        event.series = series
        event.programme.published_at = series.published_at
        db.session.commit()
        series_id = series.id
    client = app.test_client()
    csrf = csrf_token_from(client.get(f"/series/{series_id}").get_data(as_text=True))
    replies = [client.post(f"/series/{series_id}/signup",
                           data={"csrf_token": csrf, "name": "Ada Lovelace",
                                 "email": f"a{n}@example.org"},
                           environ_base={"REMOTE_ADDR": "10.0.4.1"}) for n in range(2)]
    assert [reply.status_code for reply in replies] == [200, 429]
    text = replies[1].get_data(as_text=True)
    assert 'value="Ada Lovelace"' in text and 'value="a1@example.org"' in text
    assert "Too many sign-ups have come from your network" in text
    assert "Retry-After" in replies[1].headers


def test_the_discussion_sign_up_comes_back_with_its_choices_when_a_limit_is_met(
        limited: Callable[..., Flask]) -> None:
    from datetime import UTC, datetime

    from events.models import Programme
    from tests.test_discussions import make_discussion

    app = limited(RATELIMIT_RSVP_EMAIL="1 per minute")
    with app.app_context():
        _empty_tables()
        programme = Programme(slug=f"p-{uuid.uuid4().hex[:8]}", name="Readers",
                              timezone="Pacific/Auckland", published_at=datetime.now(UTC))
        db.session.add(programme)
        db.session.commit()
        discussion = make_discussion(db.session, programme)
        address = f"/discussions/{discussion.id}"
        slot, thread = str(discussion.slots[0].id), str(discussion.threads[1].id)
    client = app.test_client()
    form = {"csrf_token": csrf_token_from(client.get(address).get_data(as_text=True)),
            "name": "Ann Reader", "email": "ann@example.org", "slots": [slot],
            "threads": [thread, ""]}
    replies = [client.post(f"{address}/sign-up", data=form,
                           environ_base={"REMOTE_ADDR": f"10.0.5.{n}"}) for n in range(2)]
    assert [reply.status_code for reply in replies] == [200, 429]
    text = replies[1].get_data(as_text=True)
    assert 'value="Ann Reader"' in text and "for this e-mail address" in text
    assert f'value="{slot}" id="slot-{slot}" checked' in text  # the time they ticked
