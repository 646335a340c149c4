"""The headers every answer carries: what the browser may run, frame, sniff and tell others.

One hook for the whole site, so a new page cannot forget them:

- ``Content-Security-Policy``: scripts and styles from this site's own files
  only (no inline ``<script>``, ``on...=`` handler, ``<style>`` or ``style=``
  in any page template: ``tests/test_security_headers.py`` reads them all), no
  plug-ins, no ``<base>``, forms post here only, and no framing at all.
  Pages are kept whole in ``webapp/caching``, so a per-request nonce would go
  stale in a kept copy: static files are the only way that stays strict.
- ``X-Frame-Options: DENY`` for browsers older than ``frame-ancestors``.
- ``X-Content-Type-Options: nosniff``: a feed or JSON body is never run as script.
- ``Referrer-Policy``: the site's origin at most, and nothing at all from a
  page whose address holds a secret (every route with a ``<token>``: manage,
  join, speaker, feedback, reset, invitation and confirmation links), which is
  not kept in any cache either (``no-store``). A private feed keeps its own
  short ``private`` caching for calendar clients' conditional requests.
- ``Strict-Transport-Security`` once the site is served over HTTPS (``BASE_URL``).
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Rule
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
REFERRER_POLICY = "strict-origin-when-cross-origin"
# A year, the least that HSTS preload lists accept; subdomains are not Mingle's to bind.
HSTS = "max-age=31536000"
# The route argument that carries a secret in the address.
SECRET_ARGUMENT = "token"


def init_app(app: Flask) -> None:
    """Send the headers on every answer of ``app``, error pages and static files included."""
    https = str(app.config.get("BASE_URL", "")).startswith("https://")

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = REFERRER_POLICY
        if https:
            headers["Strict-Transport-Security"] = HSTS
        if carries_secret():
            headers["Referrer-Policy"] = "no-referrer"
            if response.mimetype != "text/calendar":
                headers["Cache-Control"] = "private, no-store"
        return response


def carries_secret() -> bool:
    """True when this request's address holds a secret link's token."""
    rule = request.url_rule or _rule_for_other_method()
    return rule is not None and SECRET_ARGUMENT in rule.arguments


def _rule_for_other_method() -> Rule | None:
    # A wrong method (a GET of a POST-only link, say) matches no rule, yet its
    # error page still has the secret in its address.
    error = request.routing_exception
    if not isinstance(error, MethodNotAllowed) or not error.valid_methods:
        return None
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        rule, _ = adapter.match(method=error.valid_methods[0], return_rule=True)
    except HTTPException:
        return None
    return rule
