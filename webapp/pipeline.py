"""One request, one domain call, one transaction: the steps every view takes.

In the manner of Indico's request handlers (``RH``), a view

1. **loads** what it acts on: a missing thing, or one the visitor may not
   reach, raises ``NotFound`` (404, revealing nothing);
2. **checks access**: the organise blueprint's login guard runs before its
   views; participants' and speakers' pages load only through their token;
3. **acts** through one call into ``events``;
4. **commits once**, or rolls back everything if the call refuses or fails;
5. **mails after the commit**: the domain only writes outbox rows, in the
   same transaction, and the drainer is woken by the commit
   (``webapp.mailer``), so a rolled-back request sends nothing.

Every refusal answers with one status wherever it happens, pages, forms and
the JSON API alike (``webapp.errors.STATUS``: invalid input 422, not found
404, not open 409, busy 503).

Three shapes cover the views:

``act(call)``
    Run the call and commit; any error rolls back and reaches the error
    handlers (an error page, or JSON under ``/api/``). For JSON endpoints and
    for POSTs that render their result.
``form_page(form, call, page=..., done=...)``
    A form: shown on GET; on a valid POST the call runs. Invalid input goes
    beside its field (422); another refusal shows above the form with its
    status; success hands the result to ``done`` (usually a redirect).
``button(call, done=..., back=..., page=...)``
    A POST with nothing but its CSRF token: on success, flash what ``done``
    says and redirect to ``back`` (303); a refusal is shown on ``page`` with
    its status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from events.errors import DomainError, InvalidInput
from webapp.errors import status_of
from webapp.extensions import db

T = TypeVar("T")
# What a view returns: a page (with its status) or a response.
Page = str | tuple[str, int] | Response
# Renders a page, with a refusal to show above its content (or None).
PageWithProblem = Callable[[str | None], str]


def act(call: Callable[[], T]) -> T:
    """Run one domain call and commit once; on any error roll back and re-raise."""
    try:
        result = call()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def form_page(form: FlaskForm, call: Callable[[], T], *, page: PageWithProblem,
              done: Callable[[T], Any], fallback_field: str | None = None) -> Any:
    """A form page: GET shows it; a valid POST runs ``call`` in one transaction.

    ``InvalidInput`` is shown beside the field it names (or ``fallback_field``),
    422; any other refusal is shown above the form with its own status; the
    form's own validation errors are 422 too. On success, ``done(result)`` is
    the answer.
    """
    problem: str | None = None
    status = 200
    if form.validate_on_submit():
        try:
            result = act(call)
        except InvalidInput as error:
            if not show_beside_field(form, error, fallback_field):
                problem, status = error.message, status_of(error)
        except DomainError as error:
            problem, status = error.message, status_of(error)
        else:
            return done(result)
    if form.errors:
        status = 422
    return page(problem), status


def show_beside_field(form: FlaskForm, error: InvalidInput,
                      fallback_field: str | None = None) -> bool:
    """Put a refusal beside the form's field it concerns; False if the form has no such field."""
    field = getattr(form, error.field or "", None) or getattr(form, fallback_field or "", None)
    if field is None or not hasattr(field, "errors"):
        return False
    field.errors = [*field.errors, error.message]
    return True


def button(call: Callable[[], T], *, done: Callable[[T], str], back: str,
           page: PageWithProblem | None = None) -> Page:
    """A button's POST: act, flash ``done(result)`` and go ``back`` (303).

    A refusal is shown on ``page`` with its status (or, without a page, on
    the error page). CSRF tokens are checked before any view runs
    (``CSRFProtect``), so there is nothing else to validate here.
    """
    try:
        result = act(call)
    except DomainError as error:
        if page is None:
            raise
        return page(error.message), status_of(error)
    flash(done(result), "good")
    return redirect(back, code=303)
