"""The hard capacity rule under real concurrency: a multi-process gunicorn server on the
test database, hit by several client processes at once.

No more people are confirmed than there are seats, everyone else gets a distinct
place in the waitlist in the order the database served them, every place has
its e-mail in the outbox, and the same person sending many RSVPs at once still
holds a single place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from events.models import Event, OutboxMessage, Person, Registration, RegistrationStatus
from tests.live_server import Reply, gunicorn_server, post_json_from_processes, server_log_path

pytestmark = pytest.mark.slow

CAPACITY = 200
RSVPS = 400
CLIENT_PROCESSES = 6
CONNECTIONS_PER_PROCESS = 25


@dataclass(frozen=True)
class LiveServer:
    url: str
    log: Path

    def assert_no_errors_logged(self) -> None:
        """Errors the replies do not show (a worker crash, a lock error) still leave a mark here."""
        text = self.log.read_text(errors="replace")
        assert "Traceback" not in text and "locked" not in text, text[-5000:]


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One gunicorn (2 workers x 4 threads) per database for the whole module."""
    tmp_path = tmp_path_factory.mktemp("server")
    with gunicorn_server(database_url, tmp_path) as base_url:
        yield LiveServer(base_url, server_log_path(tmp_path, base_url))


def registrations_url(event: Event) -> str:
    return f"/api/v1/events/{event.id}/registrations"


def explain(replies: list[Reply], server: LiveServer) -> str:
    """The odd replies and the end of the server's log, for a failure message."""
    odd = [reply for reply in replies if reply.status not in (200, 201)]
    log = server.log.read_text(errors="replace")[-3000:]
    return f"{len(odd)} odd replies, e.g. {odd[:3]}\nserver log ends:\n{log}"


def test_concurrent_rsvps_never_confirm_more_than_capacity_and_queue_the_rest_in_order(
        server: LiveServer, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=CAPACITY)
    bodies = [{"name": f"Racer {n}", "email": f"racer{n}@example.org"} for n in range(RSVPS)]

    replies = post_json_from_processes(server.url, registrations_url(event), bodies,
                                       processes=CLIENT_PROCESSES,
                                       connections=CONNECTIONS_PER_PROCESS)

    assert len(replies) == RSVPS
    assert [reply.status for reply in replies] == [201] * RSVPS, explain(replies, server)
    statuses = Counter(reply.body["status"] for reply in replies)
    assert statuses == {"confirmed": CAPACITY, "waitlisted": RSVPS - CAPACITY}
    waitlisted = sorted((reply for reply in replies if reply.body["status"] == "waitlisted"),
                        key=lambda reply: reply.body["waitlist_position"])
    assert [reply.body["waitlist_position"] for reply in waitlisted] == list(
        range(1, RSVPS - CAPACITY + 1))
    assert all(reply.body["waitlist_position"] is None
               for reply in replies if reply.body["status"] == "confirmed")

    server.assert_no_errors_logged()

    session.expire_all()
    stored = session.get(Event, event.id)
    assert stored.seats_taken == CAPACITY
    # The waitlist's length and last number, kept by the RSVPs themselves.
    assert (stored.waitlist_length, stored.last_queue_number) == (RSVPS - CAPACITY,) * 2
    rows = session.execute(
        select(Registration.id, Registration.status, Person.email)
        .join(Person, Person.id == Registration.person_id)
        .where(Registration.event_id == event.id)
    ).all()
    assert len(rows) == RSVPS
    assert {row.email for row in rows} == {body["email"] for body in bodies}
    assert {row.id: row.status.value for row in rows} == {
        reply.body["id"]: reply.body["status"] for reply in replies}
    queue = session.execute(
        select(Registration.id, Registration.queue_number)
        .where(Registration.event_id == event.id,
               Registration.status == RegistrationStatus.waitlisted)
        .order_by(Registration.queue_number)
    ).all()
    # Queue order is the order of the positions people were told: number n is position n.
    assert [row.id for row in queue] == [reply.body["id"] for reply in waitlisted]
    assert [row.queue_number for row in queue] == list(range(1, RSVPS - CAPACITY + 1))

    messages = session.execute(
        select(OutboxMessage.registration_id, OutboxMessage.kind, OutboxMessage.context)
        .where(OutboxMessage.event_id == event.id)
    ).all()
    expected_kind = {"confirmed": "confirmation", "waitlisted": "waitlisted"}
    assert sorted((row.registration_id, row.kind) for row in messages) == sorted(
        (reply.body["id"], expected_kind[reply.body["status"]]) for reply in replies)
    # The e-mail tells each the same position as the answer did.
    told = {row.registration_id: row.context.get("position") for row in messages}
    assert all(told[reply.body["id"]] == reply.body["waitlist_position"] for reply in replies)


def test_the_same_email_sent_many_times_at_once_holds_one_place(
        server: LiveServer, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=CAPACITY)
    bodies = [{"name": "Eager Person", "email": "eager@example.org"}] * 20

    replies = post_json_from_processes(server.url, registrations_url(event), bodies,
                                       processes=4, connections=5)

    assert len(replies) == len(bodies)
    assert sorted(reply.status for reply in replies) == [200] * 19 + [201], explain(
        replies, server)
    assert {reply.body["id"] for reply in replies} == {replies[0].body["id"]}
    assert {reply.body["status"] for reply in replies} == {"confirmed"}
    assert [reply.body["created"] for reply in replies].count(True) == 1

    server.assert_no_errors_logged()

    session.expire_all()
    assert session.get(Event, event.id).seats_taken == 1
    assert session.scalars(
        select(Registration.id).where(Registration.event_id == event.id)).all() == [
        replies[0].body["id"]]
    assert session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.event_id == event.id)).all() == [
        "confirmation"]

