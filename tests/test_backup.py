"""``flask --app wsgi backup FILE``: a consistent copy of the SQLite database taken while
the app serves RSVPs, which opens as the app's database with the data in it; on
PostgreSQL the command points to pg_dump."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from events.models import Event, EventKind, EventStatus, Programme, Registration
from tests.conftest import ROOT, app_config, upgrade_to_head
from tests.live_server import gunicorn_server
from webapp import create_app
from webapp.extensions import db


def flask_command(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=url, MINGLE_ENV="test", OUTBOX_IN_PROCESS="0")
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_backup_taken_while_rsvps_arrive_restores_as_the_apps_database(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade_to_head(url)
    app = create_app(app_config(url, tmp_path))
    with app.app_context():
        event = Event(programme=Programme(slug="b", name="Backed up"), title="Kept",
                      kind=EventKind.conversation, timezone="UTC", capacity=1000,
                      starts_at=datetime.now(UTC) + timedelta(days=2),
                      status=EventStatus.published)
        db.session.add(event)
        db.session.commit()
        event_id = event.id
        db.engine.dispose()

    stop = threading.Event()
    sent: list[int] = []
    with gunicorn_server(url, tmp_path, workers=2, threads=2) as base_url:
        def rsvps() -> None:
            n = 0
            while not stop.is_set() and n < 2000:
                body = f'{{"name": "P", "email": "p{n}@example.org"}}'.encode()
                request = urllib.request.Request(
                    f"{base_url}/api/v1/events/{event_id}/registrations", data=body,
                    headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=30) as reply:
                    sent.append(reply.status)
                n += 1

        writer = threading.Thread(target=rsvps)
        writer.start()
        while len(sent) < 20:
            stop.wait(0.05)
        before = len(sent)
        copy = tmp_path / "copy.db"
        done = flask_command(url, "backup", str(copy))
        after = len(sent)
        stop.set()
        writer.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert after > before, "no RSVP arrived while the backup was taken"

    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    restored = create_app(app_config(f"sqlite:///{copy}", tmp_path))
    with restored.app_context():
        assert db.session.get(Event, event_id).title == "Kept"
        count = db.session.scalar(select(func.count()).select_from(Registration))
        db.engine.dispose()
    # Everything answered before the copy began is in it, and nothing after it ended.
    assert before <= count <= after + 4

    again = flask_command(url, "backup", str(copy))
    assert again.returncode != 0 and "exists already" in again.stderr


def test_on_postgresql_the_command_says_to_use_pg_dump(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    done = flask_command(database_url, "backup", "/nonexistent/copy.db")
    assert done.returncode != 0 and "pg_dump" in done.stderr
