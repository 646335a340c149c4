"""Who is logged in: the account behind the session cookie, logging in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import g, has_request_context, redirect, request, session, url_for
from werkzeug.wrappers import Response

from events.accounts import Account, account_by_id
from events.people import has_unprintable
from webapp.extensions import db


def log_in(account: Account) -> None:
    """Start a fresh session for the account (a new cookie, against session fixation)."""
    _new_session()
    session["account_id"] = account.id
    # Ends this login when the account's stamp changes (``accounts.end_sessions``).
    session["stamp"] = account.session_stamp
    session.permanent = False


def log_out() -> None:
    _new_session()


def _new_session() -> None:
    session.clear()
    # Flask-WTF caches this request's CSRF token in ``g``; it belonged to the
    # cleared session, so the next form must get a fresh one.
    g.pop("csrf_token", None)


def current_account() -> Account | None:
    """The logged-in account of this request, or ``None``."""
    if not has_request_context():
        return None  # e-mails rendered by a worker have no visitor
    # Cached per request in its WSGI environ: ``g`` may outlive a request.
    key = "mingle.account"
    if key not in request.environ:
        account = account_by_id(db.session, session.get("account_id"))
        if account is not None and session.get("stamp") != account.session_stamp:
            account = None
        request.environ[key] = account
    return request.environ[key]  # type: ignore[no-any-return]


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (an open redirect), and never
    one with control characters (a CR or LF would end the Location header)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if has_unprintable(target):
        return None
    return target if not urlsplit(target).netloc else None


def login_redirect() -> Response:
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
