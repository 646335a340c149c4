"""Error pages and JSON errors: a reason a person can read, never a bare 500."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from events import limits
from events.errors import Busy, DomainError, InvalidInput, NotFound, NotOpen, TooManyTries
from webapp.extensions import db

# Each refusal of the domain answers with one status, on pages, forms and the
# API alike. A new kind of refusal gets its line here.
STATUS: dict[type[DomainError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    NotOpen: 409,
    Busy: 503,
    TooManyTries: 429,
}
# A busy answer tells clients when trying again should work (RFC 9110 §10.2.3).
RETRY_AFTER_SECONDS = 1

MESSAGES = {
    400: "The request could not be understood.",
    403: "You may not open this page.",
    404: "There is nothing at this address.",
    405: "This address does not accept that kind of request.",
    409: "That cannot be done now.",
    413: (f"That was too much to send at once: Mingle accepts up to "
          f"{limits.REQUEST_MAX_BYTES // 2**20} MB in one go. Please send less."),
    422: "Some of what you sent is not valid.",
    429: "Too many requests in a short time. Please wait a minute and try again.",
    500: "Something went wrong on our side. Nothing you sent was lost; please try again.",
    503: "We are busy right now. Please try again in a moment.",
}


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain refusal (its nearest kind in ``STATUS``; else 400)."""
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]  # type: ignore[index]
    return 400


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str | None = None,
                   field: str | None = None) -> tuple[Response | str, int]:
    """A JSON body for the API, an HTML page for people."""
    message = message or MESSAGES.get(status, "Something went wrong.")
    if wants_json():
        body: dict[str, object] = {"error": message, "status": status}
        if field:
            body["field"] = field
        return jsonify(body), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[Response | str, int]:
        return error_response(
            400, "This form has expired or was not sent from our page. "
                 "Please go back, reload the page and send it again.")

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[Response | str, int]:
        # A refusal that escaped its view: nothing of the request is kept.
        db.session.rollback()
        body, status = error_response(status_of(error), error.message, error.field)
        if isinstance(error, Busy):
            return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}  # type: ignore[return-value]
        return body, status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | tuple[Response | str, int]:
        if error.response is not None:
            # Made for this refusal already (a rate limit's form page, webapp.limit_refusals).
            return error.response  # type: ignore[return-value]
        status = error.code or 500
        message = MESSAGES.get(status) if status != 400 else (error.description or MESSAGES[400])
        return error_response(status, message)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[Response | str, int]:
        app.logger.exception("unhandled error", exc_info=error)
        db.session.rollback()
        return error_response(500)
