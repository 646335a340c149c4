"""The outbox against a real SMTP server that refuses, vanishes and comes back:
nothing is lost, retries back off, a hopeless message is marked failed, and
nothing is sent twice, even by two worker processes draining at once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import booking, outbox
from events.models import Event, OutboxMessage, OutboxStatus, utcnow
from tests.conftest import ROOT, SmtpInbox, free_port
from webapp import mailer


def queue_rsvps(session: Session, event: Event, count: int) -> None:
    for n in range(count):
        booking.register(session, event.id, f"Person {n}", f"person{n}@example.org")
    session.commit()


def rows(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_refusing_server_keeps_messages_queued_then_each_is_sent_once_when_it_accepts(
        mail_app: tuple[Flask, SmtpInbox], session: Session,
        make_event: Callable[..., Event]) -> None:
    _, inbox = mail_app
    queue_rsvps(session, make_event(capacity=2), 3)
    start = utcnow()
    inbox.refuse = True

    assert outbox.drain(session, mailer.deliver, now=lambda: start) == (0, 3)
    queued = rows(session)
    assert {m.status for m in queued} == {OutboxStatus.queued}
    assert all("451" in m.last_error and m.attempts == 1 for m in queued)
    assert all(m.next_attempt_at == start + outbox.RETRY_BASE for m in queued)
    # Not due again until the backoff has passed.
    assert outbox.drain(session, mailer.deliver, now=lambda: start) == (0, 0)

    inbox.refuse = False
    later = start + outbox.RETRY_BASE
    assert outbox.drain(session, mailer.deliver, now=lambda: later) == (3, 0)
    assert outbox.drain(session, mailer.deliver, now=lambda: later + timedelta(days=1)) == (0, 0)
    assert {m.status for m in rows(session)} == {OutboxStatus.sent}
    recipients = Counter(tuple(rcpts) for rcpts, _ in inbox.envelopes)
    assert recipients == {(f"person{n}@example.org",): 1 for n in range(3)}


def test_a_server_that_is_down_gets_retried_with_growing_waits_then_the_message_fails(
        app_factory: Callable[..., Flask], make_event: Callable[..., Event],
        session: Session) -> None:
    dead = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(),
                       MAIL_SUPPRESS_SEND=False)
    queue_rsvps(session, make_event(), 1)
    clock = utcnow()
    waits = []
    with dead.app_context():
        from webapp.extensions import db

        for _ in range(outbox.MAX_ATTEMPTS):
            assert outbox.drain(db.session, mailer.deliver,
                                now=lambda at=clock: at) == (0, 1)
            (message,) = rows(db.session)
            if message.status == OutboxStatus.failed:
                break
            waits.append(message.next_attempt_at - clock)
            clock = message.next_attempt_at
        db.session.remove()
    (message,) = rows(session)
    assert message.status == OutboxStatus.failed
    assert message.attempts == outbox.MAX_ATTEMPTS
    assert "Connection refused" in message.last_error or "Errno" in message.last_error
    assert waits == [outbox.RETRY_BASE * 2 ** n for n in range(outbox.MAX_ATTEMPTS - 1)]
    assert outbox.drain(session, mailer.deliver, now=lambda: clock + timedelta(days=30)) == (0, 0)


def worker_env(database_url: str, port: int, tmp: str) -> dict[str, str]:
    return dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test-secret-key",
                MINGLE_ENV="test", BASE_URL="https://mingle.example.org",
                MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port),
                MAIL_DEFAULT_SENDER="programme@mingle.example.org",
                OUTBOX_IN_PROCESS="0", MINGLE_INSTANCE=tmp)


def start_workers(database_url: str, port: int, tmp: str,
                  count: int = 2) -> list[subprocess.Popen[str]]:
    """Start ``count`` ``worker --once`` processes at the same moment."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--once"]
    env = worker_env(database_url, port, tmp)
    return [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for _ in range(count)]


def outputs_of(workers: list[subprocess.Popen[str]]) -> list[str]:
    """Each worker's output once it has finished, which it must do without an error."""
    outputs = []
    for worker in workers:
        output, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, output
        outputs.append(output)
    return outputs


def run_workers_together(database_url: str, port: int, tmp: str, count: int = 2) -> list[str]:
    """Start ``count`` ``worker --once`` processes at the same moment; return their output."""
    return outputs_of(start_workers(database_url, port, tmp, count))


MESSAGES = 40


def test_two_workers_draining_at_once_send_every_message_exactly_once(
        mail_app: tuple[Flask, SmtpInbox], session: Session, make_event: Callable[..., Event],
        database_url: str, smtp_server: tuple[SmtpInbox, int], tmp_path: object) -> None:
    inbox, port = smtp_server
    queue_rsvps(session, make_event(capacity=20), MESSAGES)

    outputs = run_workers_together(database_url, port, str(tmp_path))

    inbox.wait_for(MESSAGES)
    recipients = Counter(rcpts[0] for rcpts, _ in inbox.envelopes)
    assert len(recipients) == MESSAGES and set(recipients.values()) == {1}, outputs
    assert {m.status for m in rows(session)} == {OutboxStatus.sent}
    sent_by = [int(output.rsplit("sent ", 1)[1].split(",")[0]) for output in outputs]
    assert sum(sent_by) == MESSAGES
