"""Reminders before an event: confirmed people only, with their join link, each once,
even from two worker processes at the same moment."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from events import access, booking, reminders
from events.models import Event, OutboxMessage, Programme, Registration, SentReminder
from tests.conftest import SmtpInbox
from tests.test_outbox_delivery import run_workers_together
from webapp.site import current_site

NOW = datetime(2030, 3, 4, 5, 0, tzinfo=UTC)


def place(session: Session, event: Event, n: int,
          confirmed_at: datetime = NOW - timedelta(days=3)) -> Registration:
    registration = booking.register(session, event.id, f"Person {n}", f"person{n}@example.org",
                                    now=confirmed_at).registration
    session.commit()
    return registration


def reminders_queued(session: Session) -> list[tuple[str, int]]:
    return [(m.recipient_email, m.context["offset_minutes"]) for m in session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "reminder").order_by(OutboxMessage.id))]


def test_the_day_before_and_the_hour_before_each_remind_confirmed_people_once(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(capacity=1, starts_at=NOW + timedelta(days=1))
    place(session, event, 0)
    place(session, event, 1)  # waitlisted: no reminder
    leaver = place(session, make_event(starts_at=NOW + timedelta(days=1)), 2)
    booking.cancel(session, leaver.id, NOW - timedelta(days=1))
    session.commit()

    assert reminders.run_due(session, NOW - timedelta(minutes=1)).reminders == 0
    for moment in (NOW, NOW + timedelta(hours=1), NOW + timedelta(hours=22, minutes=59)):
        reminders.run_due(session, moment)
        session.commit()
    assert reminders_queued(session) == [("person0@example.org", 1440)]
    for moment in (NOW + timedelta(hours=23), NOW + timedelta(hours=23, minutes=30)):
        reminders.run_due(session, moment)
        session.commit()
    assert reminders_queued(session) == [("person0@example.org", 1440),
                                         ("person0@example.org", 60)]
    # Once it has started, nothing more.
    assert reminders.run_due(session, NOW + timedelta(days=1, minutes=1)).reminders == 0


def test_a_worker_that_was_down_sends_only_the_latest_reminder(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(starts_at=NOW + timedelta(minutes=30))
    place(session, event, 0)
    assert reminders.run_due(session, NOW).reminders == 1
    session.commit()
    assert reminders_queued(session) == [("person0@example.org", 60)]
    skipped = session.scalars(select(SentReminder).order_by(SentReminder.offset_minutes)).all()
    assert [(r.offset_minutes, r.sent) for r in skipped] == [(60, True), (1440, False)]


def test_someone_who_took_a_seat_after_the_reminder_fell_due_gets_only_the_later_one(
        session: Session, make_event: Callable[..., Event]) -> None:
    event = make_event(starts_at=NOW + timedelta(hours=3))
    place(session, event, 0, confirmed_at=NOW - timedelta(minutes=5))
    assert reminders.run_due(session, NOW).reminders == 0
    assert reminders.run_due(session, NOW + timedelta(hours=2)).reminders == 1
    session.commit()
    assert reminders_queued(session) == [("person0@example.org", 60)]


def test_each_programme_sets_its_own_offsets_and_nonsense_is_ignored(
        session: Session, make_event: Callable[..., Event], programme: Programme) -> None:
    programme.reminder_offsets = [120, -5, "x", 10**9, True]
    session.commit()
    event = make_event(starts_at=NOW + timedelta(hours=2))
    place(session, event, 0)
    assert reminders.reminder_offsets(programme) == [120]
    assert reminders.run_due(session, NOW).reminders == 1
    session.commit()
    assert reminders_queued(session) == [("person0@example.org", 120)]


def test_the_reminder_carries_the_personal_join_link_and_not_the_room(
        mail_app: tuple[Flask, SmtpInbox], session: Session,
        make_event: Callable[..., Event]) -> None:
    from events import outbox
    from webapp import mailer

    _, inbox = mail_app
    now = datetime.now(UTC)
    event = make_event(starts_at=now + timedelta(minutes=50))
    registration = place(session, event, 0, confirmed_at=now - timedelta(days=1))
    reminders.run_due(session, now)
    session.commit()
    session.execute(update(OutboxMessage).where(OutboxMessage.kind != "reminder")
                    .values(status="sent"))
    session.commit()
    assert outbox.drain(session, mailer.deliver) == (1, 0)
    (message,) = inbox.messages
    assert message["Subject"].strip().startswith("Reminder: Leading from any chair")
    raw = message.as_string()
    assert "secret-room-4417" not in raw
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert access.join_url(current_site(), registration) in text


def test_two_workers_at_once_send_each_reminder_exactly_once(
        mail_app: tuple[Flask, SmtpInbox], session: Session, make_event: Callable[..., Event],
        database_url: str, smtp_server: tuple[SmtpInbox, int], tmp_path: Path) -> None:
    inbox, port = smtp_server
    now = datetime.now(UTC)
    soon = make_event(capacity=15, starts_at=now + timedelta(minutes=45))
    tomorrow = make_event(capacity=15, starts_at=now + timedelta(hours=23, minutes=30))
    for n in range(20):
        place(session, soon, n, confirmed_at=now - timedelta(days=2))
        place(session, tomorrow, n, confirmed_at=now - timedelta(days=2))
    # Only the reminders are left to send.
    session.execute(update(OutboxMessage).values(status="sent"))
    session.commit()

    outputs = run_workers_together(database_url, port, str(tmp_path))

    inbox.wait_for(30)
    subjects = Counter((rcpts[0], " ".join(message["Subject"].split()))
                       for (rcpts, _), message in zip(inbox.envelopes, inbox.messages,
                                                      strict=True))
    assert len(subjects) == 30 and set(subjects.values()) == {1}, outputs
    assert len(reminders_queued(session)) == 30
    assert sum(int(o.split("reminders ")[1].split(",")[0]) for o in outputs) == 30
