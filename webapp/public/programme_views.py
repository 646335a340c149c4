"""Public pages of programmes and series, and signing up for a whole series at once."""

from __future__ import annotations

from flask import render_template, request

from events import accounts, calendar_links, listings, series_signup
from webapp.auth.login import current_account
from webapp.caching import cached_page
from webapp.extensions import db, limiter
from webapp.limit_refusals import form_again
from webapp.pipeline import Page, PageWithProblem, form_page
from webapp.public.forms import RsvpForm
from webapp.public.views import bp
from webapp.ratelimits import email_key, limited, rsvp_email_limits, rsvp_limits
from webapp.site import current_site


@bp.get("/programmes/<slug>")
def programme_page(slug: str) -> str:
    def render() -> str:
        page = listings.programme_page(db.session, slug)
        return render_template("public/programme.html", page=page,
                               feed=calendar_links.programme_feed_link(page.programme,
                                                                       current_site()))

    return cached_page(("programme", slug), render)


@bp.get("/series/<int:series_id>")
@bp.get("/series/<int:series_id>/<slug>")
def series_page(series_id: int, slug: str | None = None) -> str:
    # Kept for anonymous visitors only (cached_page): an organiser's copy shows the target.
    return cached_page(("series", series_id), lambda: _render_series(series_id, RsvpForm()))


def _render_series(series_id: int, form: RsvpForm, problem: str | None = None) -> str:
    page = listings.series_page(db.session, series_id)
    account = current_account()
    organises = account is not None and accounts.can_manage(db.session, account,
                                                            page.series.programme_id)
    return render_template("public/series.html", page=page, form=form, problem=problem,
                           organises=organises,
                           feed=calendar_links.series_feed_link(page.series, current_site()))


def _signup_form_again() -> PageWithProblem:
    series_id = int((request.view_args or {})["series_id"])
    listings.public_series(db.session, series_id)
    form = RsvpForm()
    return lambda problem: _render_series(series_id, form, problem)


SIGNUP_REFUSED = form_again(_signup_form_again, "sign-ups")


@bp.post("/series/<int:series_id>/signup")
@limited(limiter.limit(rsvp_limits, on_breach=SIGNUP_REFUSED),
         limiter.limit(rsvp_email_limits, key_func=email_key, on_breach=SIGNUP_REFUSED))
def sign_up_for_series(series_id: int) -> Page:
    listings.public_series(db.session, series_id)
    form = RsvpForm()
    return form_page(
        form, lambda: series_signup.sign_up(db.session, series_id, form.name.data or "",
                                            form.email.data or ""),
        page=lambda problem: _render_series(series_id, form, problem),
        done=lambda signup: render_template("public/series_signup_done.html", signup=signup),
        fallback_field="name")
