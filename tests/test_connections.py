"""Connections: prepared statements, SQLite's writers' queue, idle pings, session cookies."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, session
from sqlalchemy import bindparam, create_engine, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from events.models import Event, Person, Registration, RegistrationStatus, utcnow
from events.prepared_rsvp.prepared import Prepared, Target
from webapp import pool_checks, sqlite_writers
from webapp.config import database_url

_registrations = Registration.__table__
ADD_REGISTRATION = Prepared(lambda _dialect: insert(_registrations).returning(
    _registrations.c.id), keys=("event_id", "person_id", "status", "queued_at", "sequence",
                                "created_at", "updated_at"))


def registration(event_id: int, person_id: int) -> dict[str, object]:
    now = utcnow()
    return {"event_id": event_id, "person_id": person_id,
            "status": RegistrationStatus.waitlisted, "queued_at": now, "sequence": 0,
            "created_at": now, "updated_at": now}


def test_a_prepared_statement_converts_its_parameters_as_sqlalchemy_would(
        app: Flask, session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event()
    person = Person(name="Ada", email="ada@example.org")
    session.add(person)
    session.commit()
    row = ADD_REGISTRATION.first(Target.of(session), registration(event.id, person.id))
    stored = session.get_one(Registration, row[0])
    # The enum went in by name and the aware UTC time as naive UTC, as the ORM writes them.
    assert stored.status is RegistrationStatus.waitlisted
    assert stored.queued_at.tzinfo is not None


def test_a_prepared_statement_raises_sqlalchemys_errors(app: Flask, session: Session) -> None:
    with pytest.raises(IntegrityError):
        ADD_REGISTRATION.first(Target.of(session), registration(2**31 - 1, 2**31 - 1))
    session.rollback()


def test_a_prepared_statement_refuses_a_missing_parameter(app: Flask, session: Session) -> None:
    incomplete = registration(1, 1)
    del incomplete["queued_at"]
    with pytest.raises(KeyError, match="queued_at"):
        ADD_REGISTRATION.first(Target.of(session), incomplete)
    session.rollback()


def test_a_prepared_statement_cannot_return_columns_that_need_converting() -> None:
    # SQLite hands back datetimes as text, which SQLAlchemy would convert.
    starts = Prepared(lambda _dialect: select(Event.__table__.c.starts_at).where(
        Event.__table__.c.id == bindparam("id")), keys=())
    engine = create_engine("sqlite://")
    try:
        with Session(engine) as orm_session, pytest.raises(TypeError, match="starts_at"):
            starts.first(Target.of(orm_session), {"id": 1})
    finally:
        engine.dispose()


def test_a_write_on_a_bare_cursor_still_queues_for_the_writers_lock(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    connection = sqlite3.connect(path, factory=sqlite_writers.QueuedWriterConnection)
    connection.execute("CREATE TABLE t (x INTEGER)")
    connection.commit()
    connection.cursor().execute("INSERT INTO t VALUES (1)")
    other = os.open(f"{path}-writer.lock", os.O_RDWR)
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        connection.commit()
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once committed
    finally:
        os.close(other)
        connection.close()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="needs PostgreSQL (TEST_DATABASE_URL): a SQLite file cannot be dropped")
def test_a_connection_idle_long_enough_is_checked_and_replaced_if_dead() -> None:
    engine = create_engine(database_url(os.environ["TEST_DATABASE_URL"], ""))
    pool_checks.ping_when_idle(engine, idle_seconds=0.0)
    try:
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with create_engine(engine.url, poolclass=NullPool).connect() as killer:
            # Waits until the server process has gone (or 5 s have passed).
            assert killer.execute(text("SELECT pg_terminate_backend(:pid, 5000)"),
                                  {"pid": pid}).scalar_one()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        engine.dispose()


def test_a_connection_back_from_a_request_just_now_is_not_pinged(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(database_url)
    pool_checks.ping_when_idle(engine, idle_seconds=60.0)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping",
                        lambda connection: pings.append(connection) or real_ping(connection))
    try:
        for _ in range(3):
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        assert pings == []
    finally:
        engine.dispose()


def test_a_request_without_a_cookie_gets_an_empty_session_and_sets_none(app: Flask) -> None:
    @app.get("/_session_probe")
    def probe() -> str:
        return f"{dict(session)!r} {session.modified}"

    response = app.test_client().get("/_session_probe")
    assert response.get_data(as_text=True) == "{} False"
    assert "Set-Cookie" not in response.headers


def test_a_session_cookie_round_trips_and_follows_a_new_secret_key(app: Flask) -> None:
    @app.get("/_session_write")
    def write() -> str:
        session["seen"] = "yes"
        return ""

    @app.get("/_session_read")
    def read() -> str:
        return str(session.get("seen"))

    client = app.test_client()
    client.get("/_session_write")
    assert client.get("/_session_read").get_data(as_text=True) == "yes"
    app.secret_key = "another-secret-key"
    # Signed with the old key, the cookie no longer counts.
    assert client.get("/_session_read").get_data(as_text=True) == "None"


def test_a_file_databases_log_is_checkpointed_in_the_background_not_by_commits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_writers, "CHECKPOINT_EVERY", 0.05)
    # Other tests' engines may still have their own checkpointers running.
    others = {thread for thread in threading.enumerate() if thread.name == "sqlite-checkpointer"}
    engine = create_engine(f"sqlite:///{tmp_path / 'log.db'}",
                           connect_args=sqlite_writers.connect_args())
    sqlite_writers.tune(engine)
    try:
        with engine.begin() as connection:
            # Commits checkpoint only far beyond SQLite's usual 1,000 pages.
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() \
                == sqlite_writers.COMMITS_CHECKPOINT_AT
            connection.exec_driver_sql("CREATE TABLE t (x TEXT)")
        for _ in range(20):
            with engine.begin() as connection:
                connection.exec_driver_sql("INSERT INTO t VALUES (?)", ("x" * 5000,))
        # The wal-index (https://sqlite.org/walformat.html): frames in the log
        # at byte 16, frames copied back into the database at byte 96. Read
        # without checkpointing, so only the background thread can move it.
        shm = tmp_path / "log.db-shm"
        logged = copied = 0
        for _ in range(100):
            index = shm.read_bytes()
            logged, copied = struct.unpack_from("=I", index, 16)[0], struct.unpack_from(
                "=I", index, 96)[0]
            if logged > 0 and copied == logged:
                break
            time.sleep(0.05)
        assert logged > 20 and copied == logged
    finally:
        engine.dispose()
    # Disposing of the engine stops its thread.
    def ours() -> set[threading.Thread]:
        return {thread for thread in threading.enumerate()
                if thread.name == "sqlite-checkpointer"} - others

    for _ in range(100):
        if not ours():
            break
        time.sleep(0.05)
    assert not ours()
