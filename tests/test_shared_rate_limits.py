"""Rate limits hold across workers: with several gunicorn workers, production counts
in Redis (one count for all of them) and refuses to start with per-worker memory."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from events.models import Event
from tests.conftest import ROOT, free_port
from tests.live_server import gunicorn_server, post_json_from_processes

REDIS_URL = "redis://127.0.0.1:6379/6"
# What production needs besides: a long secret key and a sender with a real domain.
PRODUCTION = {"MINGLE_ENV": "production", "SECRET_KEY": "k" * 48,
              "MAIL_DEFAULT_SENDER": "programme@mingle.example.org",
              "RATELIMIT_ENABLED": "1"}


def redis_or_skip() -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")


def test_two_workers_count_one_per_email_limit_in_redis(
        database_url: str, tmp_path: Path, make_event: Callable[..., Event]) -> None:
    redis_or_skip()
    event = make_event()
    # Redis outlives the test: an address of this run's own, typed in look-alike forms
    # that are one address (events.people.email_key).
    local = f"heidi-{uuid.uuid4().hex[:10]}"
    forms = [f"{local}@example.org", f"{local.upper()}@EXAMPLE.org",
             f"{local}@\uff45xample.org", f" {local}@example.org "]
    bodies = [{"name": "Heidi", "email": forms[n % len(forms)]} for n in range(16)]
    env = dict(PRODUCTION, RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_RSVP_EMAIL="3 per minute",
               RATELIMIT_RSVP="1000 per minute")
    with gunicorn_server(database_url, tmp_path, workers=2, threads=4, env=env) as base_url:
        replies = post_json_from_processes(base_url, f"/api/v1/events/{event.id}/registrations",
                                           bodies, processes=2, connections=8)
    statuses = sorted(reply.status for reply in replies)
    # Per worker, each of the two would have let three through.
    assert statuses == [200, 200, 201] + [429] * 13, statuses


def test_production_with_several_workers_refuses_per_worker_limits(
        database_url: str, tmp_path: Path) -> None:
    env = dict(os.environ, **PRODUCTION, DATABASE_URL=database_url,
               RATELIMIT_STORAGE_URI="memory://", OUTBOX_IN_PROCESS="0",
               MINGLE_INSTANCE=str(tmp_path / "instance"))
    command = [sys.executable, "-m", "gunicorn", "wsgi:app", "--workers", "2",
               "--bind", f"127.0.0.1:{free_port()}", "--no-control-socket"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=60,
                          check=False)
    log = done.stderr.decode()
    assert done.returncode != 0
    assert "Set RATELIMIT_STORAGE_URI to a shared store" in log, log


def test_one_worker_or_a_shared_store_may_count_in_memory_or_redis() -> None:
    from webapp.config import shared_limits_problem

    production = {"MINGLE_ENV": "production", "RATELIMIT_ENABLED": True}
    assert shared_limits_problem({**production, "RATELIMIT_STORAGE_URI": "memory://"}, 1) is None
    assert shared_limits_problem({**production, "RATELIMIT_STORAGE_URI": REDIS_URL}, 4) is None
    assert shared_limits_problem({**production, "RATELIMIT_ENABLED": False}, 4) is None
    # Another app gunicorn serves from this folder (the benchmark's baselines) is let be.
    assert shared_limits_problem({"RATELIMIT_STORAGE_URI": "memory://"}, 4) is None
    assert shared_limits_problem({**production, "RATELIMIT_STORAGE_URI": "memory://"}, 4)
