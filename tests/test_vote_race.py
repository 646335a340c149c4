"""The ideas board's rules under real concurrency: a multi-process gunicorn server on the test
database, hit by several client processes at once with the forms a browser sends.

One vote per person per idea however many arrive together; a budget never overspent by
votes racing for its last places; and many people voting at once are all counted, the idea
marked ready once, and each of its people told once.
"""

from __future__ import annotations

import re
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import help_offers, ideas, verified_browsers
from events.help_offers import HelpRole
from events.idea_boards import BoardMode, Idea, IdeaBoard, IdeaKind, IdeaStatus
from events.idea_news import IdeaNotice
from events.models import OutboxMessage, Person, Programme
from events.people import person_for
from events.verified_browsers import VerifiedBrowser
from events.votes import Vote, VoteBudget
from tests.conftest import make_site
from tests.live_server import Reply, gunicorn_server, post_forms_from_processes, server_log_path
from tests.test_rsvp_race import LiveServer
from webapp.browser_cookie import COOKIE

pytestmark = pytest.mark.slow

NOW = datetime.now(UTC)
BUDGET = 5


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One gunicorn (2 workers x 4 threads) per database for the whole module."""
    tmp_path = tmp_path_factory.mktemp("server")
    with gunicorn_server(database_url, tmp_path) as base_url:
        yield LiveServer(base_url, server_log_path(tmp_path, base_url))


@pytest.fixture
def board(session: Session, programme: Programme) -> IdeaBoard:
    board = IdeaBoard(programme=programme, mode=BoardMode.topics,
                      opens_at=NOW - timedelta(days=1), vote_budget=BUDGET, ready_votes=40)
    session.add(board)
    session.commit()
    return board


def topics(session: Session, board: IdeaBoard, count: int) -> list[Idea]:
    proposer = person_for(session, "proposer@example.org", "Pat Proposer")
    made = [ideas.propose(session, board, proposer, IdeaKind.topic, f"Topic {n}")
            for n in range(count)]
    session.commit()
    return made


def browser(server: LiveServer, session: Session, person: Person) -> dict[str, str]:
    """A confirmed browser of ``person``: its cookies and a CSRF token of its session."""
    row = VerifiedBrowser(person=person, expires_at=NOW + timedelta(days=30))
    session.add(row)
    session.commit()
    token = verified_browsers.browser_token(make_site(), row)
    request = urllib.request.Request(f"{server.url}/programmes/conversations/ideas",
                                     headers={"Cookie": f"{COOKIE}={token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        html = response.read().decode()
        cookies = SimpleCookie(response.headers["Set-Cookie"])
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert csrf and "Taking part as" in html
    return {"cookie": f"{COOKIE}={token}; session={cookies['session'].value}",
            "csrf": csrf.group(1)}


def vote(idea: Idea, by: dict[str, str]) -> dict[str, object]:
    return {"path": f"/programmes/conversations/ideas/{idea.id}/vote", "cookie": by["cookie"],
            "fields": {"csrf_token": by["csrf"], "back": "board"}}


def explain(replies: list[Reply], server: LiveServer) -> str:
    odd = Counter((reply.status, reply.body.get("error", "")) for reply in replies)
    return f"{odd}\nserver log ends:\n{server.log.read_text(errors='replace')[-3000:]}"


def test_the_same_vote_sent_many_times_at_once_counts_once(
        server: LiveServer, session: Session, board: IdeaBoard) -> None:
    [topic] = topics(session, board, 1)
    voter = person_for(session, "eager@example.org", "Eager Voter")
    eager = browser(server, session, voter)

    replies = post_forms_from_processes(server.url, [vote(topic, eager)] * 24,
                                        processes=4, connections=6)

    assert [reply.status for reply in replies] == [303] * 24, explain(replies, server)
    server.assert_no_errors_logged()
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Vote)) == 1
    assert session.scalar(select(VoteBudget.active_votes)
                          .where(VoteBudget.person_id == voter.id)) == 1


def test_votes_racing_for_the_last_places_of_a_budget_never_overspend_it(
        server: LiveServer, session: Session, board: IdeaBoard) -> None:
    many = topics(session, board, 12)
    voter = person_for(session, "keen@example.org", "Keen Voter")
    keen = browser(server, session, voter)
    # Each topic twice, all at once: twelve topics for a budget of five.
    forms = [vote(topic, keen) for topic in many for _ in range(2)]

    replies = post_forms_from_processes(server.url, forms, processes=4, connections=6)

    assert Counter(reply.status for reply in replies) == {303: 2 * BUDGET,
                                                          409: 2 * (12 - BUDGET)}, explain(
        replies, server)
    assert all(f"used all {BUDGET} of your votes" in reply.body["text"]
               for reply in replies if reply.status == 409)
    server.assert_no_errors_logged()
    session.expire_all()
    voted = session.scalars(select(Vote.idea_id).where(Vote.person_id == voter.id)).all()
    assert len(voted) == len(set(voted)) == BUDGET
    assert session.scalar(select(VoteBudget.active_votes)
                          .where(VoteBudget.person_id == voter.id)) == BUDGET


def test_many_people_voting_at_once_are_all_counted_and_told_once_when_it_is_ready(
        server: LiveServer, session: Session, board: IdeaBoard) -> None:
    [topic] = topics(session, board, 1)
    helper = person_for(session, "helper@example.org", "Hana Helper")
    help_offers.offer(session, topic, helper, HelpRole.facilitate)
    session.commit()
    people = [person_for(session, f"voter{n}@example.org", f"Voter {n}") for n in range(40)]
    session.commit()
    forms = [vote(topic, browser(server, session, person)) for person in people]

    replies = post_forms_from_processes(server.url, forms, processes=4, connections=10)

    assert [reply.status for reply in replies] == [303] * 40, explain(replies, server)
    server.assert_no_errors_logged()
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Vote)) == 40
    assert session.get(Idea, topic.id).status == IdeaStatus.ready
    told = session.scalars(select(OutboxMessage.recipient_email)
                           .where(OutboxMessage.kind == "idea_status")).all()
    assert sorted(told) == sorted([person.email for person in people]
                                  + ["helper@example.org", "proposer@example.org"])
    assert session.scalar(select(func.count()).select_from(IdeaNotice)) == 42
