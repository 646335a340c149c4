"""Sign-ups under real concurrency: a multi-process gunicorn server on the test database,
hit by several client processes at once, some people signing up several times.

Everyone ends with one sign-up and one kick-off place; no more places are taken than
there are; the rest wait in a queue without gaps; and once the groups are published,
each confirmed person is in exactly one group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events.discussions import forming, membership, planning
from events.discussions.models import GroupMember, SignUp
from events.models import Programme, Registration, RegistrationStatus
from tests.live_server import gunicorn_server, post_json_from_processes, server_log_path
from tests.test_discussions import make_discussion
from tests.test_rsvp_race import LiveServer, explain

pytestmark = pytest.mark.slow

PLACES = 30
PEOPLE = 60
REPEATS = 3  # every third person sends their sign-up three times at once


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp_path = tmp_path_factory.mktemp("server")
    with gunicorn_server(database_url, tmp_path) as base_url:
        yield LiveServer(base_url, server_log_path(tmp_path, base_url))


def test_concurrent_sign_ups_give_one_place_each_and_publishing_one_group_each(
        server: LiveServer, session: Session, programme: Programme) -> None:
    discussion = make_discussion(session, programme, places=PLACES,
                                 slots=["Tuesday 19:30"], threads=["Craft", "Place"])
    slot, threads = discussion.slots[0].id, [t.id for t in discussion.threads]
    bodies = []
    for n in range(PEOPLE):
        body = {"name": f"Racer {n}", "email": f"racer{n}@example.org", "slots": [slot],
                "threads": [threads[n % 2]]}
        bodies += [body] * (REPEATS if n % 3 == 0 else 1)

    replies = post_json_from_processes(server.url, f"/api/v1/discussions/{discussion.id}/sign-ups",
                                       bodies, processes=4, connections=10)

    assert sorted({r.status for r in replies}) in ([201], [200, 201]), explain(replies, server)
    server.assert_no_errors_logged()
    created = Counter(r.sent["email"] for r in replies if r.body["created"])
    assert created == dict.fromkeys((f"racer{n}@example.org" for n in range(PEOPLE)), 1)
    session.expire_all()
    sign_ups = session.scalars(select(SignUp).where(SignUp.discussion_id == discussion.id)).all()
    assert len(sign_ups) == PEOPLE == len({s.person_id for s in sign_ups})
    places = session.scalars(select(Registration).where(
        Registration.event_id == discussion.kickoff_event_id)).all()
    assert len(places) == PEOPLE
    statuses = Counter(p.status for p in places)
    assert statuses == {RegistrationStatus.confirmed: PLACES,
                        RegistrationStatus.waitlisted: PEOPLE - PLACES}
    positions = sorted(r.body["waitlist_position"] for r in replies
                       if r.body["status"] == "waitlisted" and r.body["created"])
    assert positions == list(range(1, PEOPLE - PLACES + 1))

    planning.offer_groups_for_every_thread_and_slot(session, discussion)
    formed = forming.form(session, discussion, forming.ConcessionsPlan())
    assert formed.proposal is not None
    membership.publish(session, discussion)
    session.commit()
    confirmed = {p.id for p in places if p.status == RegistrationStatus.confirmed}
    members = session.scalars(select(GroupMember)).all()
    assert sorted(m.sign_up.registration_id for m in members) == sorted(confirmed)
    assert session.scalar(select(func.count(func.distinct(GroupMember.sign_up_id)))) == PLACES
