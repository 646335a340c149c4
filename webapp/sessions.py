"""Flask's signed-cookie sessions, without the signing work where none is needed.

Flask builds a new signing serializer at the start of every request, cookie
or not. Most requests carry no session cookie (the API, feeds, a first visit),
so they get an empty session straight away, and the serializer is kept until
the secret key changes.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionCookies(SecureCookieSessionInterface):
    """Flask's ``SecureCookieSessionInterface``, with an empty session for cookieless
    requests and one serializer per set of keys."""

    def __init__(self) -> None:
        self._serializer: tuple[Any, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._serializer
        if kept is None or kept[0] != keys:
            kept = self._serializer = (keys, super().get_signing_serializer(app))
        return kept[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
