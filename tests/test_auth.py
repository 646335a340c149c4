"""Organisers' logins: passwords, sessions, rate limits, resets by e-mail, invitations, CLI."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

# Registers every organiser table on Base.metadata for this test run.
from events import accounts, announcements  # noqa: F401
from events.accounts import Account, PasswordReset, ProgrammeMembership
from events.models import OutboxMessage, Programme
from tests.conftest import SmtpInbox, csrf_token_from
from webapp.extensions import db
from webapp.mailer import drain_once

PASSWORD = "correct horse battery"


def make_organiser(session: Session, email: str = "ana@example.org", name: str = "Ana Organiser",
                   programme: Programme | None = None, admin: bool = False) -> Account:
    account = accounts.create_account(session, email, name, PASSWORD, is_admin=admin)
    if programme is not None:
        accounts.add_member(session, account, programme)
    session.commit()
    return account


def csrf(client: FlaskClient) -> str:
    return csrf_token_from(client.get("/login").get_data(as_text=True))


def log_in(client: FlaskClient, email: str = "ana@example.org", password: str = PASSWORD) -> str:
    """Log in through the form and return a CSRF token of the new session."""
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf(client)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf(client)


def test_passwords_are_stored_only_as_scrypt_hashes(session: Session) -> None:
    account = make_organiser(session)
    assert account.password_hash.startswith("scrypt:")
    assert PASSWORD not in account.password_hash


def test_login_with_the_right_password_opens_the_workspace(client: FlaskClient,
                                                           session: Session) -> None:
    make_organiser(session)
    response = client.post("/login", data={"email": "ANA@example.org ", "password": PASSWORD,
                                           "csrf_token": csrf(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/organise/"
    assert client.get("/organise/").status_code == 200


def test_a_wrong_password_is_refused_beside_the_field(client: FlaskClient,
                                                      session: Session) -> None:
    make_organiser(session)
    response = client.post("/login", data={"email": "ana@example.org", "password": "nope",
                                           "csrf_token": csrf(client)})
    assert response.status_code == 422
    assert "do not match an account" in response.get_data(as_text=True)
    assert client.get("/organise/").status_code == 302


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "nobody@example.org",
                                           "password": PASSWORD, "csrf_token": csrf(client)})
    assert response.status_code == 422
    assert "do not match an account" in response.get_data(as_text=True)


def test_login_follows_next_only_to_paths_of_this_site(client: FlaskClient,
                                                       session: Session) -> None:
    make_organiser(session)
    for target, expected in (("/organise/programmes/new", "/organise/programmes/new"),
                             ("//evil.example/x", "/organise/"),
                             ("https://evil.example/", "/organise/")):
        client.post("/logout", data={"csrf_token": csrf(client)})
        response = client.post(f"/login?next={target}",
                               data={"email": "ana@example.org", "password": PASSWORD,
                                     "csrf_token": csrf(client)})
        assert response.headers["Location"] == expected


def test_logout_ends_the_session(client: FlaskClient, session: Session) -> None:
    make_organiser(session)
    token = log_in(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/organise/").headers["Location"].startswith("/login")


def test_session_cookie_is_httponly_samesite_and_secure_under_https(
        client: FlaskClient, session: Session) -> None:
    make_organiser(session)
    response = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD,
                                           "csrf_token": csrf(client)})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_session_cookie_is_not_secure_when_served_over_plain_http(
        app_factory: Callable[..., Flask]) -> None:
    app = app_factory(BASE_URL="http://127.0.0.1:5000")
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_login_attempts_are_rate_limited(app_factory: Callable[..., Flask]) -> None:
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    with app.app_context():
        token = csrf(client)
        codes = [client.post("/login", data={"email": "x@example.org", "password": "wrong-one",
                                             "csrf_token": token}).status_code
                 for _ in range(4)]
    assert codes == [422, 422, 422, 429]


def test_a_password_change_ends_other_logins(client: FlaskClient, app: Flask,
                                             session: Session) -> None:
    account = make_organiser(session)
    log_in(client)
    accounts.set_password(account, "another long password")
    session.commit()
    assert client.get("/organise/").status_code == 302


def _link(message: OutboxMessage | object, inbox: SmtpInbox) -> str:
    body = inbox.messages[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"https://mingle\.example\.org(/\S+)", body)
    assert found, body
    return found.group(1)


def test_password_reset_by_email_link_sets_a_new_password_once(
        mail_app: tuple[Flask, SmtpInbox]) -> None:
    app, inbox = mail_app
    client = app.test_client()
    make_organiser(db.session)
    response = client.post("/login/reset", data={"email": "ana@example.org",
                                                  "csrf_token": csrf(client)})
    assert "a link to set a new password is on its way" in response.get_data(as_text=True)
    assert drain_once() == (1, 0)
    path = _link(None, inbox)
    assert inbox.messages[-1]["To"] == "Ana Organiser <ana@example.org>"
    # Nothing that opens the account is stored: only the reset's id.
    stored = db.session.scalars(select(OutboxMessage)).one()
    assert path.rsplit("/", 1)[1] not in str(stored.context)

    page = client.get(path)
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    short = client.post(path, data={"password": "short", "confirm": "short", "csrf_token": token})
    assert short.status_code == 422 and "Use 10 to 200 characters" in short.get_data(as_text=True)
    done = client.post(path, data={"password": "a brand new passphrase",
                                   "confirm": "a brand new passphrase", "csrf_token": token})
    assert done.status_code == 302
    assert accounts.authenticate(db.session, "ana@example.org", "a brand new passphrase")
    assert accounts.authenticate(db.session, "ana@example.org", PASSWORD) is None
    assert client.get(path).status_code == 404


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
        mail_app: tuple[Flask, SmtpInbox]) -> None:
    app, inbox = mail_app
    client = app.test_client()
    response = client.post("/login/reset", data={"email": "nobody@example.org",
                                                  "csrf_token": csrf(client)})
    assert "is on its way" in response.get_data(as_text=True)
    # The request is queued like any other; the worker finds no account and sends nothing.
    assert drain_once() == (1, 0)
    assert inbox.wait_for(1, timeout=0.5) == []
    assert db.session.scalar(select(func.count()).select_from(PasswordReset)) == 0
    stored = db.session.scalars(select(OutboxMessage)).one()
    assert stored.recipient_email == "" and stored.context == {"not_sent": "no active account"}


def test_a_forged_reset_link_is_refused(client: FlaskClient, session: Session) -> None:
    make_organiser(session)
    accounts.request_password_reset(session, "ana@example.org")
    session.commit()
    assert drain_once() == (1, 0)
    reset = session.scalars(select(PasswordReset)).one()
    forged = f"/login/reset/{reset.id}-" + "A" * 32
    assert client.get(forged).status_code == 404
    assert client.get("/login/reset/not-a-token").status_code == 404


def test_an_invited_co_organiser_creates_an_account_and_joins_the_team(
        mail_app: tuple[Flask, SmtpInbox]) -> None:
    app, inbox = mail_app
    programme = Programme(slug="team", name="Team Programme", timezone="Pacific/Auckland")
    db.session.add(programme)
    db.session.commit()
    make_organiser(db.session, programme=programme)
    client = app.test_client()
    token = log_in(client)
    response = client.post(f"/organise/programmes/{programme.id}/invitations",
                           data={"email": "Bo@Example.org", "csrf_token": token})
    assert response.status_code == 303
    assert drain_once() == (1, 0)
    message = inbox.messages[-1]
    assert message["To"] == "bo@example.org"
    assert "Ana Organiser invites you to organise Team Programme" in message["Subject"]
    path = _link(None, inbox)

    other = app.test_client()
    # The fixture's app context outlives requests; its cached CSRF token is Ana's.
    g.pop("csrf_token", None)
    page = other.get(path)
    assert page.status_code == 200
    accepted = other.post(path, data={"name": "Bo Builder", "password": "bo's long password",
                                      "confirm": "bo's long password",
                                      "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert accepted.status_code == 302
    assert other.get(f"/organise/programmes/{programme.id}").status_code == 200
    bo = accounts.account_for_email(db.session, "bo@example.org")
    assert bo is not None and accounts.can_manage(db.session, bo, programme.id)
    assert other.get(path).status_code == 404


def test_inviting_someone_already_in_the_team_is_refused_beside_the_field(
        client: FlaskClient, session: Session, programme: Programme) -> None:
    make_organiser(session, programme=programme)
    make_organiser(session, email="bo@example.org", name="Bo", programme=programme)
    token = log_in(client)
    response = client.post(f"/organise/programmes/{programme.id}/invitations",
                           data={"email": "bo@example.org", "csrf_token": token})
    assert response.status_code == 422
    assert "already in this programme" in response.get_data(as_text=True)


def test_create_organiser_command_prompts_for_the_password(app: Flask,
                                                           programme: Programme) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-organiser", "--email", "cli@example.org", "--name",
                                 "Cli Person", "--programme", programme.slug],
                           input="typed in at the prompt\ntyped in at the prompt\n")
    assert result.exit_code == 0, result.output
    account = accounts.authenticate(db.session, "cli@example.org", "typed in at the prompt")
    assert account is not None and not account.is_admin
    assert accounts.can_manage(db.session, account, programme.id)
    given = runner.invoke(args=["create-organiser", "--email", "boss@example.org", "--name",
                                "Boss", "--password", "given on the command line", "--admin"])
    assert given.exit_code == 0, given.output
    again = runner.invoke(args=["create-organiser", "--email", "boss@example.org", "--name",
                                "Boss", "--password", "given on the command line"])
    assert again.exit_code != 0 and "already exists" in again.output
    assert db.session.scalar(select(func.count()).select_from(ProgrammeMembership)) == 1


def test_the_demo_seed_includes_an_organiser_in_the_demo_programme(session: Session) -> None:
    from events import demo

    programme = demo.seed_demo(session)
    session.commit()
    account = accounts.authenticate(session, demo.DEMO_ORGANISER_EMAIL,
                                    demo.DEMO_ORGANISER_PASSWORD)
    assert account is not None and accounts.can_manage(session, account, programme.id)
