"""The Flask adapter: app factory, extensions and blueprints around ``events``."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from webapp import pool_checks, sqlite_writers
from webapp.config import from_environment, refuse_unusable_sender, refuse_weak_secret
from webapp.extensions import csrf, db, limiter, mail
from webapp.json_bodies import JsonBodies
from webapp.sessions import SessionCookies

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``overrides`` wins over the environment (tests use it)."""
    app = Flask(
        __name__,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
        instance_path=os.environ.get("MINGLE_INSTANCE", os.path.join(ROOT, "instance")),
    )
    app.url_map.converters["int"] = RowIdConverter
    app.session_interface = SessionCookies()
    app.config.update(from_environment(app.instance_path))
    app.config.update(overrides or {})
    app.json = JsonBodies(app)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    _refuse_development_secret(app)
    _engine_options(app)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    _schema_commands(app)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        _tune_connections()

    from webapp import (
        api,
        auth,
        dev,
        errors,
        feeds,
        health,
        ideas,
        organise,
        participant,
        public,
        security_headers,
        speaker,
        templating,
    )
    from webapp.cli import register_commands

    templating.init_app(app)
    errors.init_app(app)
    security_headers.init_app(app)
    for blueprint in (public.bp, api.bp, feeds.bp, participant.bp, health.bp, auth.bp,
                      organise.bp, speaker.bp, ideas.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api.bp)
    if app.debug or app.config["MINGLE_ENV"] == "development" or app.testing:
        app.register_blueprint(dev.bp)
    register_commands(app)

    from webapp import mailer

    mailer.init_app(app)
    return app


class RowIdConverter(IntegerConverter):
    """``<int:...>`` within the database's 32-bit ids: a larger number is simply
    not found, instead of a query PostgreSQL refuses."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _schema_commands(app: Flask) -> None:
    """``flask db ...`` (Flask-Migrate), loaded only when a ``db`` command runs.

    Alembic costs a process about 11 MB, and neither web workers nor the
    outbox worker migrate. ``SCHEMA_COMMANDS`` loads it at once (for code
    that calls Flask-Migrate's functions itself).
    """
    if not app.config.get("SCHEMA_COMMANDS"):
        from webapp.cli import SchemaCommands

        app.cli.add_command(SchemaCommands(app))
        return
    migrate_with_alembic(app)


def migrate_with_alembic(app: Flask) -> None:
    """Bind Flask-Migrate (and so Alembic) to ``app``."""
    from flask_migrate import Migrate

    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    Migrate(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True,
            compare_type=True)


def _refuse_development_secret(app: Flask) -> None:
    relaxed = app.testing or app.debug or app.config["MINGLE_ENV"] in ("development", "test")
    refuse_weak_secret(app.config, relaxed)
    if not relaxed:
        refuse_unusable_sender(app.config)


def _engine_options(app: Flask) -> None:
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    uri: str = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options.setdefault("connect_args", sqlite_writers.connect_args())
        # A pool as large as a worker's threads keeps connections (and their
        # PRAGMAs) instead of opening and closing overflow ones.
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 10)
    elif uri.startswith("postgresql"):
        # Lock late and give up soon: "busy, try again" beats a request that hangs.
        options.setdefault("connect_args", {"options": "-c lock_timeout=10000"})
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 10)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _tune_connections() -> None:
    if db.engine.dialect.name == "sqlite":
        sqlite_writers.tune(db.engine)
    else:
        # A file cannot drop the connection; a server can.
        pool_checks.ping_when_idle(db.engine)
