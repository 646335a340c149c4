"""The shape rules: the domain stays free of Flask, and migrations match the models."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from events.schema import metadata
from tests.conftest import ROOT, upgrade_to_head


def test_events_package_never_imports_flask_or_webapp() -> None:
    offenders = []
    for path in (ROOT / "events").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names
                          if name.split(".")[0] in ("flask", "flask_sqlalchemy", "webapp")]
    assert offenders == []


SITE_PATHS = ("/events", "/join", "/me", "/programmes", "/series", "/calendar", "/login",
              "/invitations", "/organise", "/api", "/speaker", "/feedback")


def test_the_domain_spells_no_path_of_the_site() -> None:
    # Links come from the web adapter's routes (events.site.Links), so a route
    # changed there cannot leave a stale copy in an e-mail or a calendar.
    offenders = []
    for path in (ROOT / "events").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and node.value.startswith(SITE_PATHS)):
                offenders.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert offenders == []


def test_importing_the_domain_loads_no_flask() -> None:
    code = ("import sys, events.booking, events.calendar, events.outbox, events.demo; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'flask'))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_migrations_upgrade_an_empty_database_to_the_models(database_url: str) -> None:
    # database_url was upgraded from empty to head by Alembic; the models must agree.
    engine = create_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []


def test_a_fresh_sqlite_file_upgrades_to_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade_to_head(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_heads()
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def _migrate(url: str, *args: str) -> None:
    env = dict(os.environ, DATABASE_URL=url, MINGLE_ENV="test", OUTBOX_IN_PROCESS="0")
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", *args], cwd=ROOT,
                   env=env, check=True, capture_output=True)


def test_queue_numbers_keep_an_existing_waitlists_order_and_go_back_down_with_rows(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'waiting.db'}"
    _migrate(url, "upgrade", "0004_slimmer_rsvp_indexes")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO programmes (id, slug, name, description, timezone, after_hours_start,"
            " after_hours_end, weekends_open, sender_name, reminder_offsets, created_at)"
            " VALUES (1, 'p', 'P', '', 'UTC', '17:30:00', '21:30:00', 1, '', '[60]',"
            " '2030-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO events (id, programme_id, kind, title, description, starts_at,"
            " duration_minutes, timezone, capacity, seats_taken, waitlist_enabled, meeting_url,"
            " status, cancel_reason, sequence, unit_name, prompt_work, prompt_challenges,"
            " prompt_direction, book_title, created_at, updated_at) VALUES (1, 1,"
            " 'conversation', 'E', '', '2031-01-01 00:00:00', 30, 'UTC', 1, 1, 1, '',"
            " 'published', '', 0, '', '', '', '', '', '2030-01-01 00:00:00',"
            " '2030-01-01 00:00:00')"))
        # Waiting in the order 3, 5, 2 by time (ids say otherwise).
        for person, status, second in ((1, "confirmed", 1), (2, "waitlisted", 5),
                                       (3, "waitlisted", 3), (4, "cancelled", 2),
                                       (5, "waitlisted", 4)):
            at = f"2030-01-01 00:00:0{second}"
            connection.execute(text(
                "INSERT INTO people (id, email, name, manage_nonce, created_at) VALUES"
                f" ({person}, 'p{person}@example.org', 'P', 'n{person}', '{at}')"))
            connection.execute(text(
                "INSERT INTO registrations (event_id, person_id, status, queued_at, sequence,"
                f" created_at, updated_at) VALUES (1, {person}, '{status}', '{at}', 0, '{at}',"
                f" '{at}')"))
            connection.execute(text(
                "INSERT INTO outbox (kind, recipient_email, recipient_name, registration_id,"
                " context, status, attempts, next_attempt_at, last_error, created_at) VALUES"
                f" ('x', 'p{person}@example.org', 'P', {person}, '{{}}', 'sent', 1, '{at}',"
                f" '', '{at}')"))
    engine.dispose()

    _migrate(url, "upgrade", "heads")
    engine = create_engine(url)
    with engine.connect() as connection:
        numbers = connection.execute(text(
            "SELECT person_id, queue_number FROM registrations ORDER BY person_id")).all()
        counters = connection.execute(text(
            "SELECT waitlist_length, last_queue_number FROM events")).one()
    engine.dispose()
    assert [tuple(row) for row in numbers] == [(1, None), (2, 3), (3, 1), (4, None), (5, 2)]
    assert tuple(counters) == (3, 3)
    # Down and up again, with rows that point at both tables.
    _migrate(url, "downgrade", "0004_slimmer_rsvp_indexes")
    _migrate(url, "upgrade", "heads")
