"""E-mails waiting to be sent.

A message is a row written in the same transaction as the change that caused
it, so a rolled-back RSVP sends nothing and a committed one is never
forgotten. Drainers claim due rows for a short lease (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so two workers never take the same row), send them
after that commit, then mark each sent or schedule a retry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert, Select, delete, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session, contains_eager

from events.calendar import invitation_sequence
from events.models import Event, OutboxMessage, OutboxStatus, Person, Registration, utcnow

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
# Waits between tries double from here: 30 s, 1 min, 2 min ... about an hour in all.
RETRY_BASE = timedelta(seconds=30)


# Set in ``session.info`` whenever a message is queued, so that a drainer in
# the same process can be woken once the transaction commits.
WRITTEN = "outbox_written"


# What ``insert_from`` takes from its SELECT; the rest is a fresh queued message.
_FROM_SELECT = ("kind", "recipient_email", "recipient_name", "event_id", "registration_id",
                "person_id", "context", "created_at")


def insert_from(source: Select[Any]) -> Insert:
    """An INSERT of queued messages whose columns come from ``source``, in the
    order kind, e-mail, name, event, registration, person, context, now.

    For statements that queue a message in the same statement as the change
    that causes it, or that read part of it from the database (the prepared
    RSVP's messages, whose ``Prepared(..., queues_mail=True)`` notes it).
    """
    table = OutboxMessage.__table__
    values = source.add_columns(
        literal(OutboxStatus.queued, table.c.status.type), literal(0),
        source.selected_columns[7], literal(""))
    return insert(table).from_select(
        [*_FROM_SELECT, "status", "attempts", "next_attempt_at", "last_error"], values)


def note_queued(session: Session) -> None:
    """Record that a message was queued by a statement of the caller's own."""
    session.info[WRITTEN] = True


def enqueue_to(session: Session, kind: str, email: str, name: str, *,
               event_id: int | None = None, registration_id: int | None = None,
               role_id: int | None = None, person_id: int | None = None,
               **context: Any) -> OutboxMessage:
    """Queue an e-mail of ``kind`` to an address; every queued row is made here
    (or, on the prepared RSVP, by ``insert_from``)."""
    note_queued(session)
    message = OutboxMessage(kind=kind, recipient_email=email, recipient_name=name,
                            event_id=event_id, registration_id=registration_id,
                            role_id=role_id, person_id=person_id, context=context)
    session.add(message)
    return message


def enqueue(session: Session, kind: str, registration: Registration,
            **context: Any) -> OutboxMessage:
    """Queue an e-mail of ``kind`` to the person holding ``registration``."""
    person = registration.person
    return enqueue_to(session, kind, person.email, person.name,
                      event_id=registration.event_id, registration_id=registration.id,
                      person_id=registration.person_id, **context)


def enqueue_to_person(session: Session, kind: str, person: Person,
                      **context: Any) -> OutboxMessage:
    """Queue an e-mail of ``kind`` about the person as a whole (e.g. their manage link)."""
    return enqueue_to(session, kind, person.email, person.name, person_id=person.id,
                      **context)


def enqueue_invitation(session: Session, registration: Registration, kind: str,
                       method: str = "REQUEST", **context: Any) -> OutboxMessage:
    """Queue an e-mail carrying the registration's iTIP invitation (or cancellation),
    with its SEQUENCE as of now (``calendar.invitation_sequence``)."""
    sequence = invitation_sequence(registration.event.sequence, registration.sequence)
    return enqueue(session, kind, registration, method=method, sequence=sequence, **context)


def newest_id(session: Session) -> int:
    """The id of the newest message so far (0 if none): a mark for ``withdraw``."""
    return session.execute(select(func.max(OutboxMessage.id))).scalar_one() or 0


def withdraw(session: Session, registration_ids: Iterable[int], after_id: int) -> int:
    """Drop the messages queued for these registrations since ``after_id``
    (``newest_id``), in this transaction, before anyone could send them: the
    caller tells the people concerned in other words. Returns how many."""
    ids = list(registration_ids)
    if not ids:
        return 0
    # Messages may still be pending in the session (moves queue ORM rows).
    session.flush()
    return session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.id > after_id, OutboxMessage.registration_id.in_(ids),
               OutboxMessage.status == OutboxStatus.queued)
        .execution_options(synchronize_session="fetch")
    ).rowcount


def claim_due(session: Session, limit: int = 50, now: datetime | None = None) -> list[int]:
    """Claim up to ``limit`` due messages for this drainer and return their ids.

    The caller commits, sends, then reports each with ``mark_sent`` or
    ``mark_failed``. A drainer that dies mid-way leaves its claim to expire.
    """
    now = now or utcnow()
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.queued,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(session.execute(due).scalars())
    if not ids:
        return []
    # The guard repeats the conditions so that on SQLite, which has no row
    # locks, a row another drainer claimed in between is skipped.
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.queued,
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .values(claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return list(session.execute(
        select(OutboxMessage.id).where(OutboxMessage.id.in_(ids),
                                       OutboxMessage.claimed_until == now + LEASE)
    ).scalars())


def mark_sent(message: OutboxMessage, now: datetime | None = None) -> None:
    """Record that the message left for the SMTP server."""
    message.status = OutboxStatus.sent
    message.sent_at = now or utcnow()
    message.claimed_until = None
    message.last_error = ""


class Unsendable(Exception):
    """A message that can never be built as it stands (a header no line can hold,
    say): trying again would fail the same way, so it fails at once."""


def mark_failed(message: OutboxMessage, error: str, now: datetime | None = None,
                final: bool = False) -> None:
    """Schedule a retry with exponential backoff, or give up after ``MAX_ATTEMPTS``
    (or at once when ``final``); ``error`` is kept for the organisers to read."""
    now = now or utcnow()
    message.claimed_until = None
    message.last_error = error[:2000]
    if final or message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.failed
    else:
        message.next_attempt_at = now + RETRY_BASE * 2 ** (message.attempts - 1)


def failed_for_programme(session: Session, programme_id: int,
                         limit: int = 20) -> list[OutboxMessage]:
    """The newest messages about the programme's events that were given up on, with
    the reason each failed, for its organisers to read."""
    return list(session.execute(
        select(OutboxMessage)
        .join(Event, Event.id == OutboxMessage.event_id)
        .options(contains_eager(OutboxMessage.event))
        .where(Event.programme_id == programme_id, OutboxMessage.status == OutboxStatus.failed)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).scalars())


def drain(session: Session, send: Callable[[OutboxMessage], None], limit: int = 50,
          now: Callable[[], datetime] = utcnow) -> tuple[int, int]:
    """Send due messages with ``send`` and return (sent, failed) counts.

    Each message is committed on its own, so one refusal does not hold back
    or resend the others.
    """
    ids = claim_due(session, limit, now())
    session.commit()
    sent = failed = 0
    for message_id in ids:
        message = session.get(OutboxMessage, message_id)
        if message is None:
            continue
        try:
            send(message)
        except Exception as error:  # any transport failure: keep the message, retry later
            session.rollback()
            message = session.get(OutboxMessage, message_id)
            if message is None:
                continue
            reason = str(error) if isinstance(error, Unsendable) else (
                f"{type(error).__name__}: {error}")
            mark_failed(message, reason, now(), final=isinstance(error, Unsendable))
            failed += 1
        else:
            mark_sent(message, now())
            sent += 1
        session.commit()
    return sent, failed
