"""Signing up for a whole series under real concurrency: a multi-process gunicorn on the test
database, and many people (some twice at once) sending the series form from several client
processes. No event is ever overbooked, and everyone ends with exactly one place per event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events.models import (
    Event,
    OutboxMessage,
    Person,
    Programme,
    Registration,
    RegistrationStatus,
    Series,
)
from tests.live_server import (
    gunicorn_server,
    post_forms_from_processes,
    server_log_path,
    visitor_form,
)
from tests.test_rsvp_race import LiveServer, explain

pytestmark = pytest.mark.slow

PEOPLE = 48
# The first few send the form twice at the same moment (a double click, two tabs).
TWICE = 12
CAPACITIES = (7, 3, 20)


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One gunicorn (2 workers x 4 threads) per database for the whole module."""
    tmp_path = tmp_path_factory.mktemp("server")
    with gunicorn_server(database_url, tmp_path) as base_url:
        yield LiveServer(base_url, server_log_path(tmp_path, base_url))


def test_concurrent_series_sign_ups_never_overbook_and_give_one_place_per_event(
        server: LiveServer, session: Session, programme: Programme,
        make_event: Callable[..., Event]) -> None:
    series = Series(programme=programme, title="Raced series",
                    published_at=datetime.now(UTC))
    session.add(series)
    session.commit()
    start = datetime.now(UTC) + timedelta(days=3)
    events = [make_event(series=series, title=f"Session {n}", capacity=capacity,
                         starts_at=start + timedelta(weeks=n))
              for n, capacity in enumerate(CAPACITIES)]
    bodies = [{"name": f"Racer {n}", "email": f"racer{n}@example.org"} for n in range(PEOPLE)]
    bodies += bodies[:TWICE]

    # Each person opens the series page first, as a browser would, for a session and a token.
    forms = [visitor_form(server.url, f"/series/{series.id}", f"/series/{series.id}/signup", body)
             for body in bodies]
    replies = post_forms_from_processes(server.url, forms, processes=4, connections=8)

    assert len(replies) == len(bodies)
    assert [reply.status for reply in replies] == [200] * len(bodies), explain(replies, server)
    assert all("You are signed up for Raced series" in reply.body["text"] for reply in replies)
    server.assert_no_errors_logged()

    session.expire_all()
    for event, capacity in zip(events, CAPACITIES, strict=True):
        statuses = Counter(session.scalars(
            select(Registration.status).where(Registration.event_id == event.id)))
        assert statuses == {RegistrationStatus.confirmed: capacity,
                            RegistrationStatus.waitlisted: PEOPLE - capacity}, event.title
        stored = session.get_one(Event, event.id)
        waiting = PEOPLE - capacity
        assert (stored.seats_taken, stored.waitlist_length, stored.last_queue_number) == (
            capacity, waiting, waiting), event.title
        queue = session.scalars(
            select(Registration.queue_number).where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.waitlisted)
            .order_by(Registration.queue_number)).all()
        assert queue == list(range(1, waiting + 1)), "the waitlist has a gap or a tie"

    per_person = session.execute(
        select(Person.email, func.count(Registration.id), func.count(func.distinct(
            Registration.event_id)))
        .join(Registration, Registration.person_id == Person.id)
        .where(Registration.event_id.in_([event.id for event in events]))
        .group_by(Person.email)).all()
    assert sorted(per_person) == sorted(
        (body["email"], len(events), len(events)) for body in bodies[:PEOPLE])

    messages = Counter(session.execute(
        select(OutboxMessage.kind, OutboxMessage.recipient_email)).all())
    summaries = {email for (kind, email), count in messages.items()
                 if kind == "series_signup" and count == 1}
    assert summaries == {body["email"] for body in bodies[:PEOPLE]}
    assert sum(count for (kind, _), count in messages.items()
               if kind == "series_invitation") == sum(CAPACITIES)
    assert {kind for kind, _ in messages} == {"series_signup", "series_invitation"}
