"""Pages anyone may open: upcoming events, an event, and the RSVP."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from events import booking, catalogue, early_access, listings, resources
from events.discussions import signing_up
from events.models import Event
from webapp.caching import cached_page
from webapp.extensions import db, limiter
from webapp.limit_refusals import form_again
from webapp.pipeline import Page, PageWithProblem, form_page
from webapp.public.forms import RsvpForm
from webapp.ratelimits import email_key, limited, rsvp_email_limits, rsvp_limits

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> str:
    return cached_page(("home",), lambda: render_template(
        "public/home.html", events=catalogue.upcoming_events(db.session),
        programmes=listings.published_programmes(db.session)))


@bp.get("/events/<int:event_id>")
@bp.get("/events/<int:event_id>/<slug>")
def event_page(event_id: int, slug: str | None = None) -> str:
    def render() -> str:
        event = catalogue.public_event(db.session, event_id)
        return _render_event(event, RsvpForm())

    return cached_page(("event", event_id), render)


def _render_event(event: Event, form: RsvpForm, problem: str | None = None) -> str:
    shown = resources.shown_publicly(db.session, [event])[event.id]
    return render_template("public/event.html", event=event, form=form, problem=problem,
                           resources=shown,
                           from_ideas=early_access.ideas_behind(db.session, event),
                           discussion=signing_up.discussion_of_kickoff(db.session, event.id))


def _rsvp_form_again() -> PageWithProblem:
    # The RSVP page as it was sent (RsvpForm reads the posted name and e-mail).
    event = catalogue.public_event(db.session, int((request.view_args or {})["event_id"]))
    form = RsvpForm()
    return lambda problem: _render_event(event, form, problem)


RSVP_REFUSED = form_again(_rsvp_form_again, "RSVPs")


@bp.post("/events/<int:event_id>/rsvp")
@limited(limiter.limit(rsvp_limits, on_breach=RSVP_REFUSED),
         limiter.limit(rsvp_email_limits, key_func=email_key, on_breach=RSVP_REFUSED))
def rsvp(event_id: int) -> Page:
    event = catalogue.public_event(db.session, event_id)
    form = RsvpForm()
    return form_page(
        form, lambda: booking.register(db.session, event_id, form.name.data or "",
                                       form.email.data or ""),
        page=lambda problem: _render_event(event, form, problem),
        done=lambda result: render_template("public/rsvp_done.html", event=event,
                                            booking=result, email=form.email.data),
        fallback_field="name")
