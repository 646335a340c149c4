"""A book discussion's public page and its sign-up (one form: the kick-off and a group)."""

from __future__ import annotations

from flask import render_template, request

from events.discussions import signing_up
from events.discussions.models import BookDiscussion
from events.models import utcnow
from webapp.caching import cached_page
from webapp.extensions import db, limiter
from webapp.limit_refusals import form_again
from webapp.pipeline import Page, PageWithProblem, form_page
from webapp.public.discussion_forms import SignUpForm
from webapp.public.views import bp
from webapp.ratelimits import email_key, limited, rsvp_email_limits, rsvp_limits

# The ranked choices a person is asked for: their first, second and third thread.
RANKS = ("First choice", "Second choice", "Third choice")


def _render(discussion: BookDiscussion, form: SignUpForm, problem: str | None = None,
            chosen: dict[str, list[str]] | None = None) -> str:
    kickoff = discussion.kickoff
    return render_template("public/discussion.html", discussion=discussion, event=kickoff,
                           form=form, problem=problem, now=utcnow(),
                           ranks=RANKS[:len(discussion.threads)],
                           chosen=chosen or {"slots": [], "threads": []})


@bp.get("/discussions/<int:discussion_id>")
@bp.get("/discussions/<int:discussion_id>/<slug>")
def discussion_page(discussion_id: int, slug: str | None = None) -> str:
    return cached_page(("discussion", discussion_id), lambda: _render(
        signing_up.public_discussion(db.session, discussion_id), SignUpForm()))


def _sign_up_form_again() -> PageWithProblem:
    # The sign-up page as it was sent, its choices ticked again.
    discussion = signing_up.public_discussion(
        db.session, int((request.view_args or {})["discussion_id"]))
    form = SignUpForm()
    chosen = {"slots": request.form.getlist("slots"),
              "threads": request.form.getlist("threads")}
    return lambda problem: _render(discussion, form, problem, chosen)


SIGN_UP_REFUSED = form_again(_sign_up_form_again, "sign-ups")


@bp.post("/discussions/<int:discussion_id>/sign-up")
@limited(limiter.limit(rsvp_limits, on_breach=SIGN_UP_REFUSED),
         limiter.limit(rsvp_email_limits, key_func=email_key, on_breach=SIGN_UP_REFUSED))
def sign_up(discussion_id: int) -> Page:
    discussion = signing_up.public_discussion(db.session, discussion_id)
    form = SignUpForm()
    chosen = {"slots": request.form.getlist("slots"),
              "threads": request.form.getlist("threads")}
    wishes = signing_up.Wishes(chosen["slots"], chosen["threads"], form.with_email.data or "",
                               bool(form.shares_first_name.data), form.timezone.data or "")
    return form_page(
        form, lambda: signing_up.sign_up(db.session, discussion_id, form.name.data or "",
                                         form.email.data or "", wishes),
        page=lambda problem: _render(discussion, form, problem, chosen),
        done=lambda result: render_template("public/signed_up.html", discussion=discussion,
                                            event=discussion.kickoff, result=result),
        fallback_field="name")
