"""Cancellations, new RSVPs and capacity changes racing on one event, from several client
processes against a multi-process gunicorn, on SQLite and PostgreSQL: nobody is
overbooked, no registration is lost, and no seat is given to two people."""

from __future__ import annotations

import multiprocessing
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from events import access, booking, waitlist
from events.models import Event, OutboxMessage, Registration, RegistrationStatus
from tests.conftest import make_site
from tests.live_server import gunicorn_server, server_log_path

pytestmark = pytest.mark.slow

CAPACITY = 20
WAITING = 10
CANCEL_CONFIRMED = 10
CANCEL_WAITING = 5
NEW_RSVPS = 40
CAPACITY_STEPS = [21, 22, 23, 24, 25]
CLIENTS = 4
TIMEOUT = 60.0


@pytest.fixture(scope="module")
def server(database_url: str,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp_path = tmp_path_factory.mktemp("race")
    with gunicorn_server(database_url, tmp_path) as url:
        yield url, server_log_path(tmp_path, url)


def _engine_for(database_url: str) -> Any:
    if database_url.startswith("sqlite"):
        return create_engine(database_url, connect_args={"timeout": 30})
    return create_engine(database_url, connect_args={"options": "-c lock_timeout=10000"})


def _act(base_url: str, database_url: str, action: tuple[Any, ...]) -> tuple[Any, ...]:
    import requests

    kind = action[0]
    try:
        if kind == "rsvp":
            reply = requests.post(f"{base_url}{action[1]}", json=action[2], timeout=TIMEOUT)
            return (*action, reply.status_code, reply.json())
        if kind == "cancel":
            _, token, registration_id = action
            browser = requests.Session()
            page = browser.get(f"{base_url}/me/{token}", timeout=TIMEOUT)
            csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
            reply = browser.post(f"{base_url}/me/{token}/places/{registration_id}/cancel",
                                 data={"csrf_token": csrf.group(1) if csrf else ""},
                                 allow_redirects=False, timeout=TIMEOUT)
            return (*action, reply.status_code, {})
        # An organiser's capacity change, through the domain with its own connection.
        engine = _engine_for(database_url)
        try:
            with Session(engine) as session:
                booking.change_capacity(session, action[1], action[2])
                session.commit()
        finally:
            engine.dispose()
        return (*action, 200, {})
    except Exception as error:  # reported, and the test fails on it
        return (*action, 0, {"error": repr(error)})


def _client(base_url: str, database_url: str, actions: list[tuple[Any, ...]],
            barrier: Any, results: Any) -> None:
    barrier.wait()
    results.put([_act(base_url, database_url, action) for action in actions])


def run_clients(base_url: str, database_url: str,
                shares: list[list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(shares), timeout=TIMEOUT)
    results = context.Queue()
    clients = [context.Process(target=_client, args=(base_url, database_url, share, barrier,
                                                       results), daemon=True)
               for share in shares]
    for client in clients:
        client.start()
    replies: list[tuple[Any, ...]] = []
    try:
        for _ in clients:
            replies += results.get(timeout=TIMEOUT * 4)
    finally:
        for client in clients:
            client.join(timeout=15)
            if client.is_alive():
                client.kill()
    return replies


def test_cancel_rsvp_and_capacity_changes_racing_keep_every_seat_and_place_straight(
        server: tuple[str, Path], session: Session, make_event: Callable[..., Event],
        database_url: str) -> None:
    base_url, log = server
    event = make_event(capacity=CAPACITY)
    places = [booking.register(session, event.id, f"Early {n}", f"early{n}@example.org")
              .registration for n in range(CAPACITY + WAITING)]
    session.commit()
    site = make_site(base_url=base_url, sender_email="x@example.org")
    leaving = places[:CANCEL_CONFIRMED] + places[CAPACITY:CAPACITY + CANCEL_WAITING]
    cancels = [("cancel", access.issue_manage_token(session, site, place.person), place.id)
               for place in leaving]
    session.commit()
    rsvps = [("rsvp", f"/api/v1/events/{event.id}/registrations",
              {"name": f"Late {n}", "email": f"late{n}@example.org"}) for n in range(NEW_RSVPS)]
    work = cancels + rsvps
    shares = [work[index::CLIENTS - 1] for index in range(CLIENTS - 1)]
    shares.append([("capacity", event.id, seats) for seats in CAPACITY_STEPS])

    replies = run_clients(base_url, database_url, shares)

    assert len(replies) == len(work) + len(CAPACITY_STEPS)
    odd = [reply for reply in replies if reply[-2] not in (200, 201, 303)]
    assert odd == [], odd[:5]
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]

    session.expire_all()
    event = session.get(Event, event.id)
    rows = session.scalars(select(Registration).where(Registration.event_id == event.id)).all()
    status = Counter(row.status for row in rows)
    confirmed = status[RegistrationStatus.confirmed]
    # Never lost: every early place and every answered RSVP is there, once.
    assert len(rows) == CAPACITY + WAITING + NEW_RSVPS
    assert {row.person.email for row in rows} >= {reply[2]["email"] for reply in replies
                                                  if reply[0] == "rsvp"}
    # Every cancel that was answered took effect.
    assert all(row.status == RegistrationStatus.cancelled for row in rows
               if row.id in {place.id for place in leaving})
    # Never overbooked; the counter agrees with the rows; freed seats went to the queue.
    assert event.capacity == CAPACITY_STEPS[-1]
    assert event.seats_taken == confirmed <= event.capacity
    waiting = [row for row in rows if row.status == RegistrationStatus.waitlisted]
    assert not (waiting and confirmed < event.capacity)
    assert event.waitlist_length == len(waiting)
    # Promotion was first come, first served: everyone promoted had a smaller
    # queue number than everyone still waiting.
    promoted = session.scalars(select(Registration.queue_number).join(
        OutboxMessage, OutboxMessage.registration_id == Registration.id).where(
        OutboxMessage.event_id == event.id, OutboxMessage.kind == "promoted")).all()
    assert promoted and max(promoted) < min((row.queue_number for row in waiting),
                                            default=max(promoted) + 1)
    assert sorted(waitlist.waitlist_position(session, row) for row in waiting) == list(
        range(1, len(waiting) + 1))
    # Nobody promoted twice, and no seat given to two people: each confirmation or
    # promotion e-mail belongs to a distinct place that is still (or was) confirmed.
    invitations = Counter(session.scalars(
        select(OutboxMessage.registration_id).where(
            OutboxMessage.event_id == event.id,
            OutboxMessage.kind.in_(("confirmation", "promoted")))).all())
    assert set(invitations.values()) == {1}
    cancelled_seats = session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.event_id == event.id, OutboxMessage.kind == "cancelled"))
    assert sum(invitations.values()) - cancelled_seats == confirmed
