"""A participant's feedback form, reached through the personal link in their e-mail.

Opening it again shows the answers already given, to change until the form
closes. A wrong link is the same plain 404 as any unknown address.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from events import feedback
from events.feedback_models import Purpose
from webapp.extensions import db
from webapp.participant.feedback_forms import form_class, initial_data, sent_answers
from webapp.participant.views import bp
from webapp.pipeline import Page, form_page
from webapp.site import current_site

ENDPOINTS = {Purpose.after_event: "participant.feedback_form",
             Purpose.follow_up: "participant.follow_up_form"}


@bp.route("/feedback/<token>", methods=["GET", "POST"])
def feedback_form(token: str) -> Page:
    return _form(token, Purpose.after_event)


@bp.route("/feedback/<token>/follow-up", methods=["GET", "POST"])
def follow_up_form(token: str) -> Page:
    return _form(token, Purpose.follow_up)


def _form(token: str, purpose: Purpose) -> Page:
    site = current_site()
    form = feedback.open_form(db.session, site, token, purpose)
    if not form.is_open:
        return render_template("participant/feedback_closed.html", form=form,
                               message=feedback.closed_reason(form)), 409
    # What was sent, or else (on the first look) the answers already given.
    web_form = (form_class(form)() if request.method == "POST"
                else form_class(form)(data=initial_data(form)))
    return form_page(
        web_form, lambda: feedback.answer(db.session, site, token, purpose,
                                          sent_answers(web_form, form)),
        page=lambda problem: _page(form, web_form, problem),
        done=lambda _saved_form: _saved(token, purpose))


def _page(form: feedback.Form, web_form: FlaskForm, problem: str | None) -> str:
    return render_template("participant/feedback.html", form=form, web_form=web_form,
                           problem=problem)


def _saved(token: str, purpose: Purpose) -> Response:
    flash("Thank you: your answers are saved. You can change them here until the form "
          "closes.")
    return redirect(url_for(ENDPOINTS[purpose], token=token), code=303)

