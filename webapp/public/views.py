"""Pages anyone may open: upcoming events, an event, and the RSVP."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from events import booking, catalogue
from events.errors import InvalidInput, NotOpen
from webapp.caching import cached_page
from webapp.extensions import db, limiter
from webapp.public.forms import RsvpForm
from webapp.ratelimits import email_key, limited, rsvp_email_limits, rsvp_limits

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> str:
    return cached_page(("home",), lambda: render_template(
        "public/home.html", events=catalogue.upcoming_events(db.session)))


@bp.get("/events/<int:event_id>")
@bp.get("/events/<int:event_id>/<slug>")
def event_page(event_id: int, slug: str | None = None) -> str:
    def render() -> str:
        event = catalogue.public_event(db.session, event_id)
        return str(_render_event(event, RsvpForm()))

    return cached_page(("event", event_id), render)


def _render_event(event: object, form: RsvpForm, status: int = 200,
                  problem: str | None = None) -> tuple[str, int] | str:
    waiting = catalogue.waitlist_counts(db.session, [event.id])[event.id]  # type: ignore[attr-defined]
    page = render_template("public/event.html", event=event, form=form,
                           waitlist_count=waiting, problem=problem)
    return (page, status) if status != 200 else page


@bp.post("/events/<int:event_id>/rsvp")
@limited(limiter.limit(rsvp_limits), limiter.limit(rsvp_email_limits, key_func=email_key))
def rsvp(event_id: int) -> Response | tuple[str, int] | str:
    event = catalogue.public_event(db.session, event_id)
    form = RsvpForm()
    if not form.validate_on_submit():
        # Only the CSRF check can fail here; CSRFProtect answers 400 before us.
        return redirect(url_for("public.event_page", event_id=event_id))
    try:
        result = booking.register(db.session, event_id, form.name.data or "", form.email.data or "")
    except InvalidInput as error:
        db.session.rollback()
        getattr(form, error.field or "name").errors = [error.message]
        return _render_event(event, form, status=422)
    except NotOpen as error:
        db.session.rollback()
        return _render_event(event, form, status=409, problem=error.message)
    db.session.commit()
    return render_template("public/rsvp_done.html", event=event, booking=result)
