"""Asking for feedback: who is asked after an event and with which form, the delay and the
switches, one reminder the next evening at 7 pm in the programme's zone to those who have
not answered, the follow-up six weeks after a series, sending by hand; e-mails received by
a real SMTP server; and exactly once even from two worker processes at the same moment."""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.orm import Session

from events import feedback, feedback_requests, feedback_settings, limits, outbox, reminders
from events.errors import NotOpen
from events.feedback_models import FeedbackRequest, Purpose
from events.models import (
    Event,
    EventStatus,
    OutboxMessage,
    Person,
    Programme,
    Registration,
    RegistrationStatus,
    Series,
    utcnow,
)
from tests.conftest import SmtpInbox
from tests.feedback_support import SITE, give, held_event, settings, token_of
from tests.test_outbox_delivery import outputs_of, start_workers
from webapp import mailer
from webapp.site import current_site


def queued(session: Session, *kinds: str) -> Counter[tuple[str, str]]:
    """(kind, recipient) of every queued message of ``kinds``."""
    return Counter(session.execute(
        select(OutboxMessage.kind, OutboxMessage.recipient_email)
        .where(OutboxMessage.kind.in_(kinds))).all())


KINDS = ("feedback_request", "feedback_no_show", "feedback_reminder", "feedback_follow_up")


def emails(held_places: list[Registration]) -> set[str]:
    return {place.person.email for place in held_places}


def test_the_attended_get_the_form_no_shows_one_question_and_the_unmarked_nothing(
        session: Session, make_event: Callable[..., Event]) -> None:
    held = held_event(session, make_event, attended=3, no_show=2, confirmed=1, cancelled=1)

    assert feedback_requests.ask_due(session, utcnow()) == 5
    session.commit()

    assert queued(session, *KINDS) == Counter(
        {**{("feedback_request", e): 1 for e in emails(held["attended"])},
         **{("feedback_no_show", e): 1 for e in emails(held["no_show"])}})


def test_when_attendance_was_not_taken_everyone_with_a_seat_is_asked(
        session: Session, make_event: Callable[..., Event]) -> None:
    held = held_event(session, make_event, confirmed=3, no_show=1, cancelled=2)

    assert feedback_requests.ask_due(session, utcnow()) == 4
    session.commit()

    assert queued(session, *KINDS) == Counter(
        {**{("feedback_request", e): 1 for e in emails(held["confirmed"])},
         **{("feedback_no_show", e): 1 for e in emails(held["no_show"])}})


def test_a_second_pass_and_sending_by_hand_ask_nobody_twice(
        session: Session, make_event: Callable[..., Event]) -> None:
    held = held_event(session, make_event, attended=4)
    now = utcnow()
    assert feedback_requests.ask_due(session, now) == 4
    session.commit()
    assert feedback_requests.ask_due(session, now + timedelta(hours=1)) == 0
    assert feedback_requests.ask_now(session, held.event, now + timedelta(hours=1)) == 0
    session.commit()
    assert session.scalar(select(func.count()).select_from(FeedbackRequest)) == 4
    assert sum(queued(session, *KINDS).values()) == 4


def test_the_request_waits_for_the_series_delay_and_old_events_are_left_alone(
        session: Session, make_event: Callable[..., Event], programme: Programme) -> None:
    series = Series(programme=programme, title="Waits for attendance")
    session.add(series)
    session.commit()
    settings(session, series, delay=120, remind_at=clock(18, 30))
    ended = utcnow().replace(microsecond=0) - timedelta(minutes=30)
    held = held_event(session, make_event, attended=2, series=series, ended=ended)
    long_ago = held_event(session, make_event, attended=2,
                          ended=ended - limits.FEEDBACK_OPEN_FOR - timedelta(minutes=1))

    assert feedback_requests.ask_due(session, ended + timedelta(minutes=119)) == 0
    asked_at = ended + timedelta(minutes=120)
    assert feedback_requests.ask_due(session, asked_at) == 2
    session.commit()
    assert not session.scalar(select(FeedbackRequest.id).join(Registration).where(
        Registration.event_id == long_ago.event.id))
    # The series' own reminder time, the next evening in the programme's zone.
    zone = ZoneInfo(programme.timezone)
    expected = datetime.combine(asked_at.astimezone(zone).date() + timedelta(days=1),
                                clock(18, 30), tzinfo=zone)
    assert set(session.scalars(select(FeedbackRequest.remind_at).join(Registration).where(
        Registration.event_id == held.event.id))) == {expected.astimezone(UTC)}


def test_switching_off_stops_automatic_requests_per_series_or_event_but_not_by_hand(
        session: Session, make_event: Callable[..., Event], programme: Programme) -> None:
    quiet = Series(programme=programme, title="Quiet series")
    session.add(quiet)
    session.commit()
    settings(session, quiet, automatic=False)
    in_quiet = held_event(session, make_event, attended=1, series=quiet, prefix="a")
    overridden = held_event(session, make_event, attended=1, series=quiet, prefix="b")
    switched_off = held_event(session, make_event, attended=1, prefix="c")
    feedback_settings.set_automatic(session, overridden.event, True)
    feedback_settings.set_automatic(session, switched_off.event, False)
    session.commit()
    now = utcnow()

    assert feedback_requests.ask_due(session, now) == 1
    session.commit()
    assert set(queued(session, *KINDS)) == {("feedback_request",
                                             overridden["attended"][0].person.email)}

    assert feedback_requests.ask_now(session, switched_off.event, now) == 1
    assert feedback_requests.ask_now(session, in_quiet.event, now) == 1
    session.commit()
    assert sum(queued(session, *KINDS).values()) == 3


@pytest.mark.parametrize(("change", "reason"), [
    ({"starts_at": utcnow() + timedelta(hours=1)}, "once the event has started"),
    ({"starts_at": utcnow() - limits.FEEDBACK_OPEN_FOR - timedelta(hours=1)}, "has closed"),
    ({"status": EventStatus.cancelled}, "cancelled event has nobody"),
    ({"status": EventStatus.draft}, "draft event has nobody"),
])
def test_sending_by_hand_is_refused_with_a_reason_when_there_is_nothing_to_ask_about(
        session: Session, make_event: Callable[..., Event], change: dict[str, object],
        reason: str) -> None:
    held = held_event(session, make_event, attended=1)
    for name, value in change.items():
        setattr(held.event, name, value)
    session.commit()
    with pytest.raises(NotOpen, match=reason):
        feedback_requests.ask_now(session, held.event)
    assert session.scalar(select(func.count()).select_from(FeedbackRequest)) == 0


def test_the_reminder_falls_the_next_evening_at_seven_in_the_programmes_zone() -> None:
    auckland = ZoneInfo("Pacific/Auckland")
    # Saturday 6 April 2030, 9 pm NZDT; daylight saving ends that night (3 am → 2 am).
    asked = datetime(2030, 4, 6, 21, 0, tzinfo=auckland)
    moment = feedback_requests.reminder_moment(asked, auckland, limits.DEFAULT_FEEDBACK_REMINDER_AT)
    assert moment.astimezone(auckland).replace(tzinfo=None) == datetime(2030, 4, 7, 19, 0)
    assert moment == datetime(2030, 4, 7, 7, 0, tzinfo=UTC)  # NZST, twelve hours ahead
    # Asked in the small hours: still the evening of the next day, not the same one.
    early = datetime(2030, 4, 8, 0, 30, tzinfo=auckland)
    assert feedback_requests.reminder_moment(early, auckland, limits.DEFAULT_FEEDBACK_REMINDER_AT
                                             ) == datetime(2030, 4, 9, 7, 0, tzinfo=UTC)


def test_one_reminder_goes_at_that_moment_to_those_who_have_not_answered(
        session: Session, make_event: Callable[..., Event], programme: Programme) -> None:
    auckland = ZoneInfo(programme.timezone)
    ended = datetime(2030, 4, 6, 21, 0, tzinfo=auckland).astimezone(UTC)
    held = held_event(session, make_event, attended=3, no_show=1, ended=ended)
    assert feedback_requests.ask_due(session, ended) == 4
    session.commit()
    answered, *waiting = held["attended"]
    give(session, answered, now=ended + timedelta(hours=1), rating=5)
    due = datetime(2030, 4, 7, 7, 0, tzinfo=UTC)

    assert feedback_requests.remind_due(session, SITE, due - timedelta(minutes=1)) == 0
    assert feedback_requests.remind_due(session, SITE, due) == 3
    session.commit()
    assert feedback_requests.remind_due(session, SITE, due + timedelta(days=1)) == 0
    session.commit()
    assert queued(session, "feedback_reminder") == Counter(
        {("feedback_reminder", place.person.email): 1
         for place in [*waiting, *held["no_show"]]})
    # The moment was handled for everyone, so nobody is looked at again.
    assert session.scalar(select(func.count()).select_from(FeedbackRequest).where(
        FeedbackRequest.reminder_done_at.is_(None))) == 0


def test_no_reminder_after_the_form_closes(
        session: Session, make_event: Callable[..., Event]) -> None:
    held = held_event(session, make_event, attended=1)
    closes = feedback.closes_at(held.event)
    # Asked by hand on the form's last evening: no next evening left to remind on.
    assert feedback_requests.ask_now(session, held.event, closes - timedelta(hours=2)) == 1
    session.commit()
    assert session.scalar(select(FeedbackRequest.remind_at)) is None
    assert feedback_requests.remind_due(session, SITE, closes + timedelta(days=1)) == 0


def series_of_two(session: Session, make_event: Callable[..., Event], programme: Programme,
                  last_end: datetime) -> tuple[Series, Person, Person, Person]:
    """Two held events of a series; Ana came to both, Ben to the first, Cy was a no-show."""
    series = Series(programme=programme, title="Leading from any chair")
    ana = Person(name="Ana", email="ana@example.org")
    ben = Person(name="Ben", email="ben@example.org")
    cy = Person(name="Cy", email="cy@example.org")
    session.add_all([series, ana, ben, cy])
    session.commit()
    first = make_event(series=series, starts_at=last_end - timedelta(weeks=1, minutes=30))
    last = make_event(series=series, starts_at=last_end - timedelta(minutes=30))
    session.add_all([
        Registration(event=first, person=ana, status=RegistrationStatus.attended),
        Registration(event=first, person=ben, status=RegistrationStatus.attended),
        Registration(event=last, person=ana, status=RegistrationStatus.attended),
        Registration(event=last, person=cy, status=RegistrationStatus.no_show)])
    session.commit()
    return series, ana, ben, cy


def test_the_follow_up_goes_six_weeks_after_the_series_last_event_once_per_person(
        session: Session, make_event: Callable[..., Event], programme: Programme) -> None:
    last_end = utcnow().replace(microsecond=0) - limits.FOLLOW_UP_AFTER
    _series, ana, _ben, _cy = series_of_two(session, make_event, programme, last_end)
    due = last_end + limits.FOLLOW_UP_AFTER

    assert feedback_requests.follow_up_due(session, due - timedelta(minutes=1)) == 0
    assert feedback_requests.follow_up_due(session, due) == 2
    session.commit()
    assert feedback_requests.follow_up_due(session, due + timedelta(days=1)) == 0
    session.commit()
    assert queued(session, "feedback_follow_up") == Counter(
        {("feedback_follow_up", "ana@example.org"): 1,
         ("feedback_follow_up", "ben@example.org"): 1})
    # Ana's goes through her place at the last event she came to.
    ana_request = session.scalars(select(FeedbackRequest).join(Registration).where(
        Registration.person_id == ana.id, FeedbackRequest.purpose == Purpose.follow_up)).one()
    assert ana_request.registration.event.starts_at == last_end - timedelta(minutes=30)


def test_no_follow_up_while_the_series_has_an_event_to_come_or_is_switched_off(
        session: Session, make_event: Callable[..., Event], programme: Programme) -> None:
    last_end = utcnow().replace(microsecond=0) - limits.FOLLOW_UP_AFTER
    series, *_ = series_of_two(session, make_event, programme, last_end)
    later = make_event(series=series, starts_at=utcnow() + timedelta(days=3))
    assert feedback_requests.follow_up_due(session, utcnow()) == 0
    later.status = EventStatus.cancelled
    session.commit()
    settings(session, series, automatic=False)
    assert feedback_requests.follow_up_due(session, utcnow()) == 0
    settings(session, series, automatic=True)
    assert feedback_requests.follow_up_due(session, utcnow()) == 2


def first_link(text: str) -> str:
    found = re.search(r"https://mingle\.example\.org(/feedback/\S+)", text)
    assert found, text
    return found.group(1)


def test_feedback_emails_arrive_with_a_personal_link_that_opens_the_right_form(
        mail_app: tuple[Flask, SmtpInbox], client: FlaskClient, session: Session,
        make_event: Callable[..., Event]) -> None:
    _, inbox = mail_app
    held = held_event(session, make_event, attended=1, no_show=1,
                      title="Changing a library from the front desk")
    work = reminders.run_due(session, site=current_site())
    session.commit()
    assert work.feedback.requests == 2
    # No token is kept in the outbox: only frozen facts.
    for context in session.scalars(select(OutboxMessage.context)):
        assert not any(token_of(place) in str(context)
                       for place in [*held["attended"], *held["no_show"]])

    assert outbox.drain(session, mailer.deliver) == (2, 0)
    by_recipient = {rcpts[0]: message for (rcpts, _), message in zip(
        inbox.envelopes, inbox.messages, strict=True)}
    came = by_recipient[held["attended"][0].person.email]
    missed = by_recipient[held["no_show"][0].person.email]
    assert " ".join(came["Subject"].split()) == (
        "How was Changing a library from the front desk? Two minutes of feedback")
    assert missed["Subject"].startswith("We missed you at Changing a library")
    came_text = came.get_body(preferencelist=("plain",)).get_content()
    assert "not who said it.\r\n\r\nYou can change" in came_text
    assert "secret-room-4417" not in came.as_string()

    page = client.get(first_link(came_text))
    assert page.status_code == 200
    assert "How was Changing a library from the front desk?" in page.get_data(as_text=True)
    page = client.get(first_link(missed.get_body(preferencelist=("plain",)).get_content()))
    assert "What got in the way?" in page.get_data(as_text=True)


def test_the_reminder_and_the_follow_up_arrive_with_their_own_words_and_links(
        mail_app: tuple[Flask, SmtpInbox], client: FlaskClient, session: Session,
        make_event: Callable[..., Event], programme: Programme) -> None:
    _, inbox = mail_app
    last_end = utcnow().replace(microsecond=0) - limits.FOLLOW_UP_AFTER
    _series, ana, *_ = series_of_two(session, make_event, programme, last_end)
    assert feedback_requests.follow_up_due(session, utcnow()) == 2
    fresh = held_event(session, make_event, no_show=1, title="Evening of the reminder")
    feedback_requests.ask_now(session, fresh.event)
    session.execute(update(OutboxMessage).values(status="sent"))
    session.execute(update(FeedbackRequest).where(FeedbackRequest.remind_at.is_not(None))
                    .values(remind_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    assert feedback_requests.remind_due(session, SITE, utcnow()) == 1
    session.execute(update(OutboxMessage).where(OutboxMessage.status == "sent")
                    .values(status="queued"))
    session.execute(update(OutboxMessage).where(OutboxMessage.kind.not_in(
        ("feedback_follow_up", "feedback_reminder"))).values(status="sent"))
    session.commit()

    assert outbox.drain(session, mailer.deliver) == (3, 0)

    by_recipient = {rcpts[0]: message for (rcpts, _), message in zip(
        inbox.envelopes, inbox.messages, strict=True)}
    follow_up = by_recipient[ana.email]
    assert " ".join(follow_up["Subject"].split()) == (
        "Six weeks on: did Leading from any chair make a difference?")
    link = first_link(follow_up.get_body(preferencelist=("plain",)).get_content())
    assert link.endswith("/follow-up")
    assert "Have you used or shared" in client.get(link).get_data(as_text=True)
    reminder = by_recipient[fresh["no_show"][0].person.email]
    assert reminder["Subject"] == "One question about Evening of the reminder"
    text = reminder.get_body(preferencelist=("plain",)).get_content()
    assert "what got in the way" in text and "This is the only reminder." in text
    assert "What got in the way?" in client.get(first_link(text)).get_data(as_text=True)


@contextmanager
def writes_held_back(database_url: str) -> Iterator[Callable[[int], None]]:
    """Hold back every write to ``feedback_requests`` (a table lock on PostgreSQL, the
    writers' file lock on SQLite) until the block ends; yields a function that waits until
    ``count`` processes are queued behind it."""
    if database_url.startswith("sqlite"):
        lock_file = Path(database_url.removeprefix("sqlite:///") + "-writer.lock")
        descriptor = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        inode = f":{os.stat(lock_file).st_ino} "

        def queued() -> int:
            return sum("-> FLOCK" in line and inode in line
                       for line in Path("/proc/locks").read_text().splitlines())
        try:
            yield lambda count: _wait_until(queued, count)
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as holder, engine.connect() as watcher:
            holder.execute(text("LOCK TABLE feedback_requests IN EXCLUSIVE MODE"))

            def queued() -> int:
                watcher.rollback()
                return watcher.execute(text(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted "
                    "AND relation = 'feedback_requests'::regclass")).scalar_one()
            try:
                yield lambda count: _wait_until(queued, count)
            finally:
                holder.rollback()
    finally:
        engine.dispose()


def _wait_until(queued: Callable[[], int], count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while queued() < count:
        assert time.monotonic() < deadline, f"{queued()} of {count} workers queued"
        time.sleep(0.05)


def workers_racing(database_url: str, port: int, tmp: Path, count: int = 2) -> list[str]:
    """``count`` ``worker --once`` processes that have each read what is due and are
    queued at their first claim when they are let go together: every claim is raced."""
    with writes_held_back(database_url) as wait_for:
        workers = start_workers(database_url, port, str(tmp), count)
        try:
            wait_for(count)
        except AssertionError:
            for worker in workers:
                worker.kill()
            raise
    return outputs_of(workers)


def test_two_workers_at_once_ask_and_remind_each_person_exactly_once(
        mail_app: tuple[Flask, SmtpInbox], session: Session, make_event: Callable[..., Event],
        database_url: str, smtp_server: tuple[SmtpInbox, int], tmp_path: Path) -> None:
    inbox, port = smtp_server
    events = [held_event(session, make_event, attended=5, no_show=1, prefix=f"e{n}")
              for n in range(2)]
    session.execute(update(OutboxMessage).values(status="sent"))
    session.commit()
    people = {place.person.email for held in events
              for place in [*held["attended"], *held["no_show"]]}

    outputs = workers_racing(database_url, port, tmp_path / "ask")

    inbox.wait_for(len(people))
    assert Counter(rcpts[0] for rcpts, _ in inbox.envelopes) == Counter(
        dict.fromkeys(people, 1)), outputs
    assert sum(int(re.search(r"feedback requests (\d+)", o).group(1))
               for o in outputs) == len(people)

    # Some answer; the reminder falls due for everyone at once.
    answered = [held["attended"][0] for held in events]
    for place in answered:
        give(session, place, rating=5)
    session.execute(update(FeedbackRequest).values(remind_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    before = len(inbox.envelopes)

    outputs = workers_racing(database_url, port, tmp_path / "remind")

    waiting = people - {place.person.email for place in answered}
    inbox.wait_for(before + len(waiting))
    reminded = Counter(rcpts[0] for rcpts, _ in inbox.envelopes[before:])
    assert reminded == Counter(dict.fromkeys(waiting, 1)), outputs
    assert sum(int(re.search(r"feedback reminders (\d+)", o).group(1))
               for o in outputs) == len(waiting)
