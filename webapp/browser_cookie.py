"""The cookie that lets a browser act for a confirmed address (``events.verified_browsers``)."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.wrappers import Response

from events import limits, verified_browsers
from events.verified_browsers import VerifiedBrowser
from webapp.extensions import db
from webapp.site import current_site

COOKIE = "mingle_browser"


def current_browser() -> VerifiedBrowser | None:
    """The verified browser of this request, if its cookie is good (read once per request)."""
    key = "mingle.browser"
    if key not in request.environ:
        token = request.cookies.get(COOKIE)
        request.environ[key] = (verified_browsers.browser_for_token(db.session, current_site(),
                                                                    token)
                                if token else None)
    return request.environ[key]  # type: ignore[no-any-return]


def browser_key() -> str | None:
    """The browser's row id from its cookie (for rate limits; not checked here)."""
    head = (request.cookies.get(COOKIE) or "").partition("-")[0]
    return f"browser:{head}" if head.isdigit() else None


def remember(response: Response, browser: VerifiedBrowser) -> Response:
    """Let this browser act for the browser's person from now on."""
    response.set_cookie(
        COOKIE, verified_browsers.browser_token(current_site(), browser),
        max_age=int(limits.VERIFIED_BROWSER_FOR.total_seconds()), httponly=True,
        samesite="Lax", secure=str(current_app.config["BASE_URL"]).startswith("https://"))
    return response


def forget(response: Response) -> Response:
    response.delete_cookie(COOKIE, httponly=True, samesite="Lax")
    return response
