"""One response per registration, whatever arrives at once: several client processes submit
the same person's form again and again, at the same moment, to a multi-process gunicorn
on SQLite and PostgreSQL. One answers row per person remains, and it is one submission
whole: its rating, its words and its self-assessments all from the same send."""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import feedback, feedback_requests, feedback_settings
from events.feedback_models import FeedbackAnswers, Purpose
from events.models import Event, Programme, Series
from tests.feedback_support import held_event, settings, token_of
from tests.live_server import gunicorn_server, server_log_path

pytestmark = pytest.mark.slow

CLIENTS = 4
SENDS_PER_CLIENT = 4
TIMEOUT = 60.0


@pytest.fixture(scope="module")
def server(database_url: str,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp_path = tmp_path_factory.mktemp("feedback-race")
    with gunicorn_server(database_url, tmp_path) as url:
        yield url, server_log_path(tmp_path, url)


def submission(n: int, outcome_ids: list[int]) -> dict[str, str]:
    """Send number ``n``: every part of it says ``n``, so a mixed row would show."""
    data = {"rating": str(1 + n % 5), "worked": f"send {n}", "come_again": "yes"}
    for k, outcome_id in enumerate(outcome_ids):
        data[f"before_{outcome_id}"] = str(1 + (n + k) % 5)
        data[f"now_{outcome_id}"] = str(1 + (n + k + 1) % 5)
    return data


def _client(base_url: str, paths: list[str], sends: list[tuple[int, dict[str, str]]],
            barrier: Any, results: Any) -> None:
    import requests

    browser = requests.Session()
    tokens = {}
    for path in paths:
        page = browser.get(f"{base_url}{path}", timeout=TIMEOUT)
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        tokens[path] = found.group(1) if found else ""
    barrier.wait()
    replies = []
    for n, data in sends:
        path = paths[n % len(paths)]
        try:
            reply = browser.post(f"{base_url}{path}", data={"csrf_token": tokens[path], **data},
                                 allow_redirects=False, timeout=TIMEOUT)
            replies.append((path, n, reply.status_code))
        except Exception as error:  # reported, and the test fails on it
            replies.append((path, n, repr(error)))
    results.put(replies)


def test_concurrent_submissions_leave_one_whole_response_per_registration(
        server: tuple[str, Path], session: Session, make_event: Callable[..., Event],
        programme: Programme) -> None:
    base_url, log = server
    series = Series(programme=programme, title="Raced")
    session.add(series)
    session.commit()
    settings(session, series, outcomes=("I feel confident", "I know where to find help"))
    outcome_ids = [outcome.id for outcome in feedback_settings.outcomes_of(session, series.id)]
    held = held_event(session, make_event, attended=2, series=series)
    feedback_requests.ask_now(session, held.event)
    session.commit()
    people = held["attended"]
    paths = [f"/feedback/{token_of(place)}" for place in people]

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(CLIENTS, timeout=TIMEOUT)
    results = context.Queue()
    sends = [[(client * SENDS_PER_CLIENT + k, submission(client * SENDS_PER_CLIENT + k,
                                                         outcome_ids))
              for k in range(SENDS_PER_CLIENT)] for client in range(CLIENTS)]
    clients = [context.Process(target=_client, args=(base_url, paths, share, barrier, results),
                               daemon=True) for share in sends]
    for client in clients:
        client.start()
    replies: list[tuple[str, int, Any]] = []
    try:
        for _ in clients:
            replies += results.get(timeout=TIMEOUT * 4)
    finally:
        for client in clients:
            client.join(timeout=15)
            if client.is_alive():
                client.kill()

    assert len(replies) == CLIENTS * SENDS_PER_CLIENT
    assert {status for _, _, status in replies} == {303}, replies
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]

    session.expire_all()
    rows = {row.locator: row for row in session.scalars(select(FeedbackAnswers))}
    assert len(rows) == len(people)
    for place in people:
        row = rows[feedback.locator(token_of(place), Purpose.after_event)]
        n = int(row.worked.removeprefix("send "))
        assert paths[n % len(paths)] == f"/feedback/{token_of(place)}"
        expected = submission(n, outcome_ids)
        assert row.rating == int(expected["rating"])
        assert {(s.outcome_id, s.before, s.now) for s in row.scores} == {
            (o, int(expected[f"before_{o}"]), int(expected[f"now_{o}"])) for o in outcome_ids}
