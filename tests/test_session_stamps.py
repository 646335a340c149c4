"""Logging out, and setting a password, end a login on the server: a copy of the
session cookie taken before stops opening the workspace."""

from __future__ import annotations

from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import accounts
from events.models import OutboxMessage
from tests.conftest import csrf_token_from
from tests.test_auth import csrf, log_in, make_organiser
from webapp.site import current_site


def _session_cookie(app: Flask, client: FlaskClient) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def _browser_with(app: Flask, cookie: str) -> FlaskClient:
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie, domain="localhost")
    return other


def test_a_cookie_copied_before_logout_no_longer_opens_the_workspace(
        app: Flask, client: FlaskClient, session: Session) -> None:
    make_organiser(session)
    token = log_in(client)
    copied = _session_cookie(app, client)
    thief = _browser_with(app, copied)
    assert thief.get("/organise/").status_code == 200

    assert client.post("/logout", data={"csrf_token": token}).status_code == 302

    answer = thief.get("/organise/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    # Logging in again works, with a new stamp the old cookie does not carry.
    log_in(client)
    assert client.get("/organise/").status_code == 200
    assert thief.get("/organise/").status_code == 302


def test_a_password_reset_ends_logins_made_with_the_old_password(
        app: Flask, client: FlaskClient, session: Session) -> None:
    account = make_organiser(session)
    log_in(client)
    thief = _browser_with(app, _session_cookie(app, client))
    stamp = account.session_stamp

    # A request is only queued; the worker's step makes the reset its e-mail links to.
    accounts.request_password_reset(session, "ana@example.org")
    session.flush()
    queued = session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "password_reset")).one()
    assert accounts.prepare_reset(session, queued)
    reset = session.get(accounts.PasswordReset, queued.context["password_reset_id"])
    assert reset is not None
    link = accounts.password_reset_token(current_site(), reset)
    session.commit()
    owner = app.test_client()
    # The app context outlives requests in tests; Flask-WTF keeps the last token in ``g``.
    g.pop("csrf_token", None)
    page = owner.get(f"/login/reset/{link}")
    assert page.status_code == 200
    answer = owner.post(f"/login/reset/{link}", data={
        "password": "a brand new password", "confirm": "a brand new password",
        "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert answer.status_code == 302, answer.get_data(as_text=True)[-1500:]

    session.expire_all()
    assert session.get(accounts.Account, account.id).session_stamp != stamp
    assert thief.get("/organise/").status_code == 302
    assert client.get("/organise/").status_code == 302
    # The reset's own browser is logged in with the new stamp.
    assert owner.get("/organise/").status_code == 200


def test_logging_out_without_a_login_changes_nothing(client: FlaskClient,
                                                     session: Session) -> None:
    account = make_organiser(session)
    stamp = account.session_stamp
    assert client.post("/logout", data={"csrf_token": csrf(client)}).status_code == 302
    session.expire_all()
    assert session.get(accounts.Account, account.id).session_stamp == stamp
