"""Commands for ``flask --app wsgi``: seed-demo, worker."""

from __future__ import annotations

import time

import click
from flask import Flask

from events import demo
from webapp.extensions import db
from webapp.mailer import drain_once


def register_commands(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only seed a database with no programme.")
    def seed_demo(if_empty: bool) -> None:
        """Add a realistic demo programme."""
        if if_empty and not demo.is_empty(db.session):
            click.echo("Database already has data; not seeding.")
            return
        programme = demo.seed_demo(db.session)
        db.session.commit()
        click.echo(f"Seeded programme '{programme.name}' with {len(programme.events)} events.")

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Do a single pass and exit.")
    @click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
    def worker(once: bool, interval: float) -> None:
        """Drain the outbox (and send what is due)."""
        while True:
            sent, failed = drain_once()
            db.session.remove()
            if once:
                click.echo(f"sent {sent}, failed {failed}")
                return
            if (sent, failed) == (0, 0):
                time.sleep(interval)
