"""The write floor: a bare Flask route doing only a database-enforced seat insert.

It holds what Mingle's RSVP cannot do without (one transaction, a guarded
counter ``UPDATE … WHERE taken < capacity`` and an INSERT whose unique e-mail
the database checks) and nothing else, on the same database and driver with
the same connection settings, so Mingle's RSVP can be measured against it.
Its two tables are its own (``bench_seats``, ``bench_places``) and are
dropped by the benchmark afterwards.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from webapp import sqlite_writers
from webapp.config import database_url

SEAT_ROWS = 1000
SEAT_CAPACITY = 1_000_000



def make_engine(url: str) -> Engine:
    """An engine with Mingle's connection settings for this kind of database."""
    options: dict[str, Any] = (
        {"connect_args": sqlite_writers.connect_args()} if url.startswith("sqlite")
        else {"pool_size": 10, "max_overflow": 10})
    engine = create_engine(database_url(url, ""), **options)
    if engine.dialect.name == "sqlite":
        # The same pragmas and writers' queue as Mingle's own connections.
        sqlite_writers.tune(engine)
    return engine


@cache
def _engine() -> Engine:
    return make_engine(os.environ["DATABASE_URL"])


app = Flask(__name__)


def create_tables(url: str) -> None:
    """Create and fill the seat counters (the benchmark runs this before starting the server)."""
    engine = make_engine(url)
    serial = "INTEGER PRIMARY KEY" if engine.dialect.name == "sqlite" else "SERIAL PRIMARY KEY"
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS bench_places"))
        connection.execute(text("DROP TABLE IF EXISTS bench_seats"))
        connection.execute(text(
            "CREATE TABLE bench_seats (id INTEGER PRIMARY KEY, capacity INTEGER NOT NULL, "
            "taken INTEGER NOT NULL DEFAULT 0)"))
        connection.execute(text(
            f"CREATE TABLE bench_places (id {serial}, "
            "seat_id INTEGER NOT NULL REFERENCES bench_seats (id), "
            "email VARCHAR(320) NOT NULL, UNIQUE (seat_id, email))"))
        connection.execute(text("INSERT INTO bench_seats (id, capacity) VALUES (:id, :capacity)"),
                           [{"id": n, "capacity": SEAT_CAPACITY} for n in range(1, SEAT_ROWS + 1)])
    engine.dispose()


def drop_tables(url: str) -> None:
    """Remove the write floor's tables."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS bench_places"))
        connection.execute(text("DROP TABLE IF EXISTS bench_seats"))
    engine.dispose()


@app.post("/seats/<int:seat_id>")
def take_seat(seat_id: int) -> tuple[Any, int]:
    email = (request.get_json(silent=True) or {}).get("email", "")
    with _engine().begin() as connection:
        taken = connection.execute(
            text("UPDATE bench_seats SET taken = taken + 1 WHERE id = :id AND taken < capacity"),
            {"id": seat_id},
        ).rowcount
        if taken:
            connection.execute(
                text("INSERT INTO bench_places (seat_id, email) VALUES (:id, :email)"),
                {"id": seat_id, "email": email},
            )
    return jsonify(status="confirmed" if taken else "full"), 201 if taken else 409
