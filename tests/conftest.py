"""Shared fixtures: the app on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL,
a real SMTP server on 127.0.0.1, and factories for programmes and events."""

from __future__ import annotations

import functools
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session
from werkzeug.routing import Map

from events import schema
from events.models import (
    Event,
    EventKind,
    EventStatus,
    InvitationStatus,
    Person,
    Programme,
    Role,
    RoleKind,
)
from events.site import Site
from webapp import create_app
from webapp.config import database_url as normalise_url
from webapp.extensions import db
from webapp.site import RouteLinks

ROOT = Path(__file__).resolve().parent.parent

DATABASES = [pytest.param("sqlite", id="sqlite")]
if os.environ.get("TEST_DATABASE_URL"):
    DATABASES.append(pytest.param(os.environ["TEST_DATABASE_URL"], id="postgresql"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def own_database(url: str) -> str:
    """The database of this test process: with several (pytest-xdist), each has its own,
    named after the given one and made on first use, so no two share a schema."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    given = make_url(url)
    name = f"{given.database}_{worker}"
    engine = create_engine(given.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                              {"name": name}).first() is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return given.set(database=name).render_as_string(hide_password=False)


def upgrade_to_head(url: str) -> None:
    """Build the schema the way production does: Alembic, in a fresh process."""
    env = dict(os.environ, DATABASE_URL=url, MINGLE_ENV="test", OUTBOX_IN_PROCESS="0")
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", "heads"],
                   cwd=ROOT, env=env, check=True, capture_output=True)


@functools.cache
def _url_map() -> Map:
    """The app's routes, for sites made outside an app (calendar tests)."""
    folder = Path(tempfile.mkdtemp(prefix="mingle-routes-"))
    # No connection is made: only the routes are wanted.
    return create_app(app_config(f"sqlite:///{folder / 'unused.db'}", folder)).url_map


def make_site(base_url: str = "https://mingle.example.org",
              sender_email: str = "programme@mingle.example.org",
              secret_key: str = "test-secret-key") -> Site:
    """A ``Site`` with the app's own links, without an app context."""
    return Site(base_url=base_url, sender_email=sender_email, secret_key=secret_key,
                links=RouteLinks(_url_map(), base_url))


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty database upgraded to the newest revision, one per kind per run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'mingle.db'}"
    else:
        url = own_database(normalise_url(request.param, ""))
        reset_postgres(url)
    upgrade_to_head(url)
    return url


def app_config(database_url: str, tmp_path: Path, **extra: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": "https://mingle.example.org",
        "MAIL_DEFAULT_SENDER": "programme@mingle.example.org",
        "MAIL_SERVER": "",
        "MAIL_DIR": str(tmp_path / "mail"),
        "RATELIMIT_ENABLED": False,
        "OUTBOX_IN_PROCESS": False,
    }
    config.update(extra)
    return config


def _empty_tables() -> None:
    for table in reversed(schema.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_factory(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Make an app on the test database; settings passed in win over the defaults."""
    made: list[Flask] = []

    def make(**extra: Any) -> Flask:
        app = create_app(app_config(database_url, tmp_path, **extra))
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory: Callable[..., Flask], request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The app with its context pushed and empty tables.

    ``@pytest.mark.app_config(KEY=value)`` adjusts its settings; a test that
    also uses ``smtp_server`` gets an app that sends through it.
    """
    marker = request.node.get_closest_marker("app_config")
    extra: dict[str, Any] = dict(marker.kwargs) if marker else {}
    if "smtp_server" in request.fixturenames:
        _, port = request.getfixturevalue("smtp_server")
        # Flask-Mail suppresses sending under TESTING unless told otherwise.
        extra.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False)
    app = app_factory(**extra)
    with app.app_context():
        _empty_tables()
        yield app
        db.session.rollback()
        _empty_tables()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Session:
    return db.session


@pytest.fixture
def programme(session: Session) -> Programme:
    programme = Programme(slug="conversations", name="Library Conversations",
                          timezone="Pacific/Auckland", sender_name="Conversations team",
                          published_at=datetime.now(UTC))
    session.add(programme)
    session.commit()
    return programme


@pytest.fixture
def make_event(session: Session, programme: Programme) -> Callable[..., Event]:
    """Create a published event, by default in a week's time with 200 seats."""

    def make(**fields: Any) -> Event:
        values: dict[str, Any] = {
            "programme": programme,
            "kind": EventKind.conversation,
            "title": "Leading from any chair",
            "description": "A conversation.",
            "starts_at": datetime.now(UTC).replace(microsecond=0) + timedelta(days=7),
            "duration_minutes": 30,
            "timezone": programme.timezone,
            "capacity": 200,
            "status": EventStatus.published,
            "meeting_url": "https://meet.example.net/secret-room-4417",
        }
        values.update(fields)
        event = Event(**values)
        session.add(event)
        session.commit()
        return event

    return make


@pytest.fixture
def add_role(session: Session) -> Callable[..., Role]:
    """Put a person on an event as data, sending nothing (``status`` as given)."""

    def add(event: Event, kind: RoleKind, name: str, email: str,
            status: InvitationStatus = InvitationStatus.invited) -> Role:
        person = Person(name=name, email=email)
        role = Role(event=event, person=person, kind=kind, status=status)
        session.add(role)
        session.commit()
        return role

    return add


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


class SmtpInbox:
    """Messages as they arrived at a real SMTP server on 127.0.0.1."""

    def __init__(self) -> None:
        self.envelopes: list[tuple[list[str], bytes]] = []
        self.refuse = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 4.3.0 Try again later"
        self.envelopes.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default)  # type: ignore[misc]
                for _, raw in self.envelopes]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.envelopes) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


@pytest.fixture
def smtp_server() -> Iterator[tuple[SmtpInbox, int]]:
    inbox = SmtpInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def mail_app(app: Flask, smtp_server: tuple[SmtpInbox, int]) -> tuple[Flask, SmtpInbox]:
    """The app sending through the real SMTP test server."""
    return app, smtp_server[0]
