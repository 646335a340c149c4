"""Commands for ``flask --app wsgi``: seed-demo, worker, create-organiser and the schema's
``db`` group (one function per command)."""

from __future__ import annotations

import time

import click
from flask import Flask

from webapp.extensions import db
from webapp.mailer import drain_once, queue_due_work
from webapp.site import current_site

# Messages one worker claims at a time: small enough that several workers share
# a burst, large enough that claiming is not the cost.
BATCH = 20


def register_commands(app: Flask) -> None:
    add_create_organiser(app)
    add_backup(app)
    add_purge_inactive(app)
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only seed a database with no programme.")
    def seed_demo(if_empty: bool) -> None:
        """Add a realistic demo programme."""
        # Loaded here: the demo's modules are of no use to any other command.
        from events import demo

        if if_empty and not demo.is_empty(db.session):
            click.echo("Database already has data; not seeding.")
            return
        programme = demo.seed_demo(db.session, site=current_site())
        db.session.commit()
        click.echo(f"Seeded programme '{programme.name}' with {len(programme.events)} events.")

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Do a single pass and exit.")
    @click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
    def worker(once: bool, interval: float) -> None:
        """Queue due reminders, then drain the outbox; repeat (or stop after one pass)."""
        while True:
            due = queue_due_work()
            sent = failed = 0
            # Until nothing is due: failures are rescheduled, so this ends.
            while (batch := drain_once(limit=BATCH)) != (0, 0):
                sent, failed = sent + batch[0], failed + batch[1]
            db.session.remove()
            if once:
                click.echo(f"reminders {due.reminders}, waitlist notices "
                           f"{due.waitlist_notices}, speaker reminders "
                           f"{due.speaker_reminders}, feedback requests {due.feedback.requests}, "
                           f"feedback reminders {due.feedback.reminders}, follow-ups "
                           f"{due.feedback.follow_ups}, sent {sent}, failed {failed}")
                return
            time.sleep(interval)


class SchemaCommands(click.Group):
    """``flask db ...``: Flask-Migrate's commands, with Alembic loaded only when one runs."""

    def __init__(self, app: Flask) -> None:
        super().__init__("db", help="Migrate the database (Flask-Migrate's commands).")
        self.app = app

    def _commands(self) -> click.Group:
        from flask_migrate.cli import db as commands

        from webapp import migrate_with_alembic

        if "migrate" not in self.app.extensions:
            migrate_with_alembic(self.app)
        return commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._commands().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._commands().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> object:
        from flask import g

        # What Flask-Migrate's own group sets from its options: the folder given to
        # Migrate, no extra arguments.
        g.directory, g.x_arg = None, ()
        return super().invoke(ctx)


def add_create_organiser(app: Flask) -> None:
    """``create-organiser``: an organiser's login, the password prompted for unless given."""
    from events import accounts
    from events.catalogue import programme_by_slug
    from events.errors import DomainError

    @app.cli.command("create-organiser")
    @click.option("--email", required=True, help="The organiser's e-mail (their login).")
    @click.option("--name", required=True, help="The organiser's name.")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                  help="Prompted for when not given.")
    @click.option("--admin", is_flag=True, help="May see and change every programme.")
    @click.option("--programme", "programme_slug", default=None,
                  help="Short name of a programme to put them in the team of.")
    def create_organiser(email: str, name: str, password: str, admin: bool,
                         programme_slug: str | None) -> None:
        """Create an organiser's account."""
        try:
            account = accounts.create_account(db.session, email, name, password, is_admin=admin)
            if programme_slug:
                accounts.add_member(db.session, account,
                                    programme_by_slug(db.session, programme_slug))
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(f"Created organiser {account.email}{' (admin)' if admin else ''}.")


def add_backup(app: Flask) -> None:
    """``backup FILE``: a consistent copy of the SQLite database, taken while the app runs."""

    @app.cli.command("backup")
    @click.argument("target", type=click.Path(dir_okay=False, writable=True))
    def backup(target: str) -> None:
        """Copy the SQLite database to TARGET (on PostgreSQL, use pg_dump)."""
        import sqlite3
        from pathlib import Path

        url = db.engine.url
        if url.get_backend_name() != "sqlite":
            raise click.ClickException(
                "The database is PostgreSQL: back it up with pg_dump, e.g. "
                "pg_dump --format=custom --file=mingle.dump \"$DATABASE_URL\" "
                "(restore with pg_restore --clean --dbname=\"$DATABASE_URL\" mingle.dump).")
        if Path(target).exists():
            raise click.ClickException(f"{target} exists already; choose a new file.")
        # SQLite's online backup API, in one step: it reads under one snapshot
        # (WAL lets writers carry on meanwhile), so the copy is the database as
        # of one moment; a plain file copy may miss or tear the newest pages.
        source = sqlite3.connect(str(url.database), timeout=30)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
        finally:
            source.close()
        click.echo(f"Backed up {url.database} to {target}.")


def add_purge_inactive(app: Flask) -> None:
    """``purge-inactive --days N``: forget the people inactive for N days."""
    from events import limits

    @app.cli.command("purge-inactive")
    @click.option("--days", type=click.IntRange(min=1),
                  default=limits.FORGET_INACTIVE_AFTER.days, show_default=True,
                  help="Forget people with no activity for this many days.")
    def purge_inactive(days: int) -> None:
        """Forget participants who have done nothing for a long time."""
        from datetime import timedelta

        from events import forgetting

        count = forgetting.purge_inactive(db.session, timedelta(days=days))
        db.session.commit()
        click.echo(f"Forgot {count} {'person' if count == 1 else 'people'} "
                   f"inactive for {days} {'day' if days == 1 else 'days'}.")
