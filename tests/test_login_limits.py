"""Logging in is limited per account, from any address, with a growing delay and one
e-mail to the holder per burst; password resets answer alike for any address, by
the same statements, and send one e-mail per account per few minutes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import event, select

from events import limits, login_guard
from events.accounts import PasswordReset
from events.errors import TooManyTries
from events.models import utcnow
from tests.conftest import SmtpInbox
from tests.test_auth import PASSWORD, csrf, make_organiser
from webapp.extensions import db
from webapp.mailer import drain_once


def test_wrong_passwords_from_many_addresses_lock_the_account_and_tell_its_holder_once(
        mail_app: tuple[Flask, SmtpInbox]) -> None:
    app, inbox = mail_app
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="100 per minute")
    make_organiser(db.session)
    client = app.test_client()
    token = csrf(client)

    def attempt(password: str, n: int) -> tuple[int, str]:
        # Six source addresses in turn, as in the review: the per-address limit never bites.
        reply = client.post("/login", data={"email": "Ana@Example.org", "password": password,
                                            "csrf_token": token},
                            environ_base={"REMOTE_ADDR": f"192.0.2.{n % 6 + 1}"})
        return reply.status_code, reply.get_data(as_text=True)

    replies = [attempt(f"wrong guess {n}", n) for n in range(20)]
    free = limits.LOGIN_FREE_FAILURES
    assert [status for status, _ in replies] == [422] * free + [429] * (20 - free)
    assert "Too many wrong passwords for this account" in replies[-1][1]
    # While it waits, even the right password is not tried.
    assert attempt(PASSWORD, 99)[0] == 429
    assert login_guard.failures_for(db.session, "ana@example.org") == free

    while drain_once() != (0, 0):
        pass
    messages = inbox.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["To"] == "Ana Organiser <ana@example.org>"
    assert "wrong password 5 times" in messages[0].get_body(("plain",)).get_content()
    assert len(inbox.wait_for(2, timeout=0.5)) == 1


def test_each_failure_past_the_free_ones_waits_twice_as_long_and_success_clears(
        app: Flask) -> None:
    make_organiser(db.session)
    now = utcnow()
    for _ in range(limits.LOGIN_FREE_FAILURES):
        assert login_guard.log_in(db.session, "ana@example.org", "nope", now) is None
    burst = db.session.get(login_guard.LoginFailures, "ana@example.org")
    assert burst is not None and burst.blocked_until == now + limits.LOGIN_FIRST_DELAY
    with pytest.raises(TooManyTries):
        login_guard.log_in(db.session, "ana@example.org", PASSWORD, now + timedelta(seconds=29))
    later = now + timedelta(seconds=31)
    assert login_guard.log_in(db.session, "ana@example.org", "nope", later) is None
    db.session.refresh(burst)
    assert burst.blocked_until == later + 2 * limits.LOGIN_FIRST_DELAY
    assert login_guard.delay_after(100) == limits.LOGIN_LONGEST_DELAY.total_seconds()
    after = later + timedelta(minutes=2)
    assert login_guard.log_in(db.session, "ana@example.org", PASSWORD, after) is not None
    assert login_guard.failures_for(db.session, "ana@example.org") == 0


def test_an_address_with_no_account_is_held_up_just_the_same(app: Flask) -> None:
    now = utcnow()
    for _ in range(limits.LOGIN_FREE_FAILURES):
        login_guard.log_in(db.session, "nobody@example.org", "nope", now)
    with pytest.raises(TooManyTries):
        login_guard.log_in(db.session, "nobody@example.org", "nope", now)


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


def test_a_reset_request_runs_the_same_statements_whether_or_not_the_account_exists(
        app: Flask, statements: list[str]) -> None:
    make_organiser(db.session)
    client = app.test_client()
    token = csrf(client)
    answers = {}
    for email in ("ana@example.org", "nobody@example.org"):
        statements.clear()
        reply = client.post("/login/reset", data={"email": email, "csrf_token": token})
        answers[email] = (reply.status_code, list(statements),
                          reply.get_data(as_text=True).replace(email, "EMAIL"))
    known, unknown = answers.values()
    assert known == unknown
    # Nothing is read: the request is one queued message.
    assert [s.split()[0] for s in known[1]] == ["INSERT"]


def test_at_most_one_reset_email_per_account_in_a_few_minutes(
        mail_app: tuple[Flask, SmtpInbox]) -> None:
    app, inbox = mail_app
    make_organiser(db.session)
    client = app.test_client()
    token = csrf(client)
    for _ in range(8):
        assert client.post("/login/reset", data={"email": "ana@example.org",
                                                  "csrf_token": token}).status_code == 200
    while drain_once() != (0, 0):
        pass
    assert len(inbox.wait_for(1)) == 1
    assert inbox.wait_for(2, timeout=0.5)[0]["To"] == "Ana Organiser <ana@example.org>"
    assert len(inbox.messages) == 1
    assert len(db.session.scalars(select(PasswordReset)).all()) == 1
    # Once the quiet spell is over, asking again sends again.
    reset = db.session.scalars(select(PasswordReset)).one()
    reset.created_at = utcnow() - limits.RESET_EMAIL_QUIET - timedelta(seconds=1)
    db.session.commit()
    client.post("/login/reset", data={"email": "ana@example.org", "csrf_token": token})
    while drain_once() != (0, 0):
        pass
    assert len(inbox.wait_for(2)) == 2
